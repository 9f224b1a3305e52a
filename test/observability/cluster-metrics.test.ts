import assert from 'node:assert/strict'
import cluster, { type Worker } from 'node:cluster'
import { after, before, describe, it } from 'node:test'
import { fileURLToPath } from 'node:url'
import { AggregatorRegistry } from 'prom-client'
import { createClusterMetrics } from '../../src/observability/cluster-metrics.ts'
import { GatewayMetrics } from '../../src/observability/metrics.ts'
import { parsePrometheusText } from './prometheus-text.ts'

function fork(env: Record<string, string>): Promise<Worker> {
  const worker = cluster.fork(env)
  return new Promise((resolve, reject) => {
    worker.once('message', () => resolve(worker))
    worker.once('exit', (code) => reject(new Error(`worker exited with ${code} before it was ready`)))
  })
}

function stop(worker: Worker): Promise<void> {
  if (worker.isDead()) return Promise.resolve()
  return new Promise((resolve) => {
    worker.once('exit', () => resolve())
    worker.kill()
  })
}

function recordKnownTraffic(metrics: GatewayMetrics, scale: number): void {
  metrics.setRoutes(['orders'])
  for (let i = 0; i < scale; i++) metrics.recordRequest(0, 200, 0.003, 0.002)
  metrics.recordReload(true)
  metrics.setUpstreamHealthSource(() => [{ upstream: 'api', target: 't1', healthy: scale === 1 }])
}

describe('metric aggregation across workers', () => {
  it('AggregatorRegistry.aggregate sums GatewayMetrics counters and histogram buckets sample by sample', async () => {
    const one = new GatewayMetrics({ defaultMetrics: false })
    const two = new GatewayMetrics({ defaultMetrics: false })
    recordKnownTraffic(one, 1)
    recordKnownTraffic(two, 2)
    const aggregated = AggregatorRegistry.aggregate([await one.registry.getMetricsAsJSON(), await two.registry.getMetricsAsJSON()])
    const { values, types } = parsePrometheusText(await aggregated.metrics())
    assert.equal(types.get('gatehouse_request_duration_seconds'), 'histogram')
    assert.equal(values.get('gatehouse_requests_total{route="orders",status="200"}'), 3)
    assert.equal(values.get('gatehouse_request_duration_seconds_bucket{le="0.0025",route="orders"}'), 0)
    assert.equal(values.get('gatehouse_request_duration_seconds_bucket{le="0.005",route="orders"}'), 3)
    assert.equal(values.get('gatehouse_request_duration_seconds_bucket{le="+Inf",route="orders"}'), 3)
    assert.ok(Math.abs((values.get('gatehouse_request_duration_seconds_sum{route="orders"}') ?? 0) - 0.009) < 1e-12)
    assert.equal(values.get('gatehouse_config_reloads_total{result="success"}'), 1, 'every worker applies the same reload: max, not sum')
    assert.equal(values.get('gatehouse_upstream_target_healthy{target="t1",upstream="api"}'), 0, 'healthy only if healthy in every worker')
  })
})

describe('cluster metrics over node:cluster IPC', () => {
  const workers: Worker[] = []
  before(() => {
    cluster.setupPrimary({ exec: fileURLToPath(new URL('./fixtures/metrics-worker.ts', import.meta.url)) })
  })
  after(async () => {
    await Promise.all(workers.map(stop))
  })

  it('sums the metrics of two forked workers and the primary into one valid exposition', async () => {
    workers.push(await fork({ METRICS_SCALE: '1' }), await fork({ METRICS_SCALE: '2' }))
    const primary = new GatewayMetrics()
    primary.recordReload(true)
    const clusterMetrics = createClusterMetrics({ primaryRegistry: primary.registry })
    try {
      const { contentType, body } = await clusterMetrics.collect()
      assert.match(contentType, /^text\/plain; version=0\.0\.4/)
      const { values } = parsePrometheusText(body) // also fails on a duplicated series
      assert.equal(values.get('gatehouse_requests_total{route="orders",status="200"}'), 3)
      assert.equal(values.get('gatehouse_requests_total{route="users",status="500"}'), 3)
      assert.equal(values.get('gatehouse_request_duration_seconds_bucket{le="0.1",route="users"}'), 0)
      assert.equal(values.get('gatehouse_request_duration_seconds_bucket{le="0.25",route="users"}'), 3)
      assert.equal(values.get('gatehouse_upstream_duration_seconds_count{route="orders"}'), 3)
      assert.equal(values.get('gatehouse_active_connections'), 3)
      assert.equal(values.get('gatehouse_config_reloads_total{result="success"}'), 1)
      assert.equal(values.get('gatehouse_upstream_target_healthy{target="10.0.0.1:80",upstream="api"}'), 0)
      assert.ok((values.get('process_resident_memory_bytes') ?? 0) > 0, 'process metrics of all three processes, summed')
      assert.equal(values.get('process_start_time_seconds'), undefined, 'omitted: no meaningful sum')
    } finally {
      clusterMetrics.close()
    }
  })

  it('fails the scrape, rather than report a partial sum, when a worker does not answer in time', async () => {
    const mute = await fork({ METRICS_MODE: 'mute' })
    workers.push(mute)
    const clusterMetrics = createClusterMetrics({ timeoutMs: 300 })
    try {
      await assert.rejects(clusterMetrics.collect(), /1 worker\(s\) did not answer within 300 ms/)
      // A worker that is gone no longer counts: the rest are still a true sum.
      await stop(mute)
      const { values } = parsePrometheusText((await clusterMetrics.collect()).body)
      assert.equal(values.get('gatehouse_requests_total{route="orders",status="200"}'), 3)
    } finally {
      clusterMetrics.close()
    }
  })

  it('settles a collection when a worker exits before answering', async () => {
    const mute = await fork({ METRICS_MODE: 'mute' })
    workers.push(mute)
    const clusterMetrics = createClusterMetrics({ timeoutMs: 10_000 })
    try {
      const started = Date.now()
      const collecting = clusterMetrics.collect()
      setTimeout(() => void stop(mute), 50)
      const { values } = parsePrometheusText((await collecting).body)
      assert.ok(Date.now() - started < 5000, 'did not wait for the timeout')
      assert.equal(values.get('gatehouse_active_connections'), 3)
    } finally {
      clusterMetrics.close()
    }
  })
})
