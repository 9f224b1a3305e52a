import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { parsePrometheusText } from '../../test/observability/prometheus-text.ts'
import { LATENCY_BUCKETS } from './latency-histogram.ts'
import { GatewayMetrics, NO_ROUTE, UNMATCHED_ROUTE_LABEL } from './metrics.ts'

async function scrape(metrics: GatewayMetrics) {
  const { contentType, body } = await metrics.expose()
  assert.match(contentType, /^text\/plain; version=0\.0\.4/)
  return parsePrometheusText(body)
}

describe('GatewayMetrics', () => {
  it('counts requests by route and exact status', async () => {
    const metrics = new GatewayMetrics({ defaultMetrics: false })
    metrics.setRoutes(['orders', 'users'])
    for (let i = 0; i < 3; i++) metrics.recordRequest(0, 200, 0.002, 0.001)
    metrics.recordRequest(0, 503, 0.002, undefined)
    metrics.recordRequest(1, 200, 0.002, 0.001)
    metrics.recordRequest(NO_ROUTE, 404, 0.0001, undefined)
    const { values, types } = await scrape(metrics)
    assert.equal(types.get('gatehouse_requests_total'), 'counter')
    assert.equal(values.get('gatehouse_requests_total{route="orders",status="200"}'), 3)
    assert.equal(values.get('gatehouse_requests_total{route="orders",status="503"}'), 1)
    assert.equal(values.get('gatehouse_requests_total{route="users",status="200"}'), 1)
    assert.equal(values.get(`gatehouse_requests_total{route="${UNMATCHED_ROUTE_LABEL}",status="404"}`), 1)
    assert.equal([...values.keys()].filter((key) => key.startsWith('gatehouse_requests_total')).length, 4)
  })

  it('exports histograms with cumulative le buckets, +Inf, _sum and _count', async () => {
    const metrics = new GatewayMetrics({ defaultMetrics: false })
    metrics.setRoutes(['orders'])
    // Boundaries are inclusive (le): 0.001 lands in le="0.001".
    for (const seconds of [0.0005, 0.001, 0.003, 0.02, 0.02, 0.7, 30]) metrics.recordRequest(0, 200, seconds, seconds / 2)
    const { values, types } = await scrape(metrics)
    assert.equal(types.get('gatehouse_request_duration_seconds'), 'histogram')
    const bucket = (le: string) => values.get(`gatehouse_request_duration_seconds_bucket{le="${le}",route="orders"}`)
    const expected: Record<string, number> = {
      '0.001': 2, '0.0025': 2, '0.005': 3, '0.01': 3, '0.025': 5, '0.05': 5, '0.1': 5, '0.25': 5, '0.5': 5, '1': 6, '2.5': 6, '5': 6, '10': 6, '+Inf': 7,
    }
    assert.deepEqual(Object.fromEntries([...LATENCY_BUCKETS.map(String), '+Inf'].map((le) => [le, bucket(le)])), expected)
    assert.equal(values.get('gatehouse_request_duration_seconds_count{route="orders"}'), 7)
    const sum = values.get('gatehouse_request_duration_seconds_sum{route="orders"}') ?? 0
    assert.ok(Math.abs(sum - 30.7445) < 1e-9, `sum ${sum}`)
    assert.equal(values.get('gatehouse_upstream_duration_seconds_count{route="orders"}'), 7)
    assert.equal(values.get('gatehouse_upstream_duration_seconds_bucket{le="0.001",route="orders"}'), 2)
    assert.equal(values.get('gatehouse_upstream_duration_seconds_bucket{le="0.0025",route="orders"}'), 3)
  })

  it('leaves the upstream histogram alone for requests that never went upstream', async () => {
    const metrics = new GatewayMetrics({ defaultMetrics: false })
    metrics.setRoutes(['orders'])
    metrics.recordRequest(0, 401, 0.001, undefined)
    const { values } = await scrape(metrics)
    assert.equal(values.get('gatehouse_request_duration_seconds_count{route="orders"}'), 1)
    assert.equal(values.get('gatehouse_upstream_duration_seconds_count{route="orders"}'), 0)
  })

  it('never lets a NaN or negative duration poison the sum', async () => {
    const metrics = new GatewayMetrics({ defaultMetrics: false })
    metrics.setRoutes(['orders'])
    metrics.recordRequest(0, 200, Number.NaN, -1)
    metrics.recordRequest(0, 200, 0.5, Number.POSITIVE_INFINITY)
    metrics.recordRequest(0, 1234, 0.5, undefined)
    const { values } = await scrape(metrics)
    assert.equal(values.get('gatehouse_request_duration_seconds_sum{route="orders"}'), 1)
    assert.equal(values.get('gatehouse_upstream_duration_seconds_sum{route="orders"}'), 0)
    assert.equal(values.get('gatehouse_request_duration_seconds_bucket{le="0.001",route="orders"}'), 1)
    assert.equal(values.get('gatehouse_requests_total{route="orders",status="0"}'), 1, 'a status outside 100-999 is counted as 0')
  })

  it('keeps a route\'s counters across a reload that renumbers routes', async () => {
    const metrics = new GatewayMetrics({ defaultMetrics: false })
    metrics.setRoutes(['orders', 'users'])
    metrics.recordRequest(0, 200, 0.01, 0.005)
    metrics.recordRequest(1, 200, 0.01, 0.005)
    metrics.setRoutes(['users', 'billing'])
    metrics.recordRequest(0, 200, 0.01, 0.005)
    metrics.recordRequest(1, 201, 0.01, 0.005)
    metrics.recordRequest(2, 200, 0.01, 0.005) // index beyond the table: unmatched, not a crash
    const { values } = await scrape(metrics)
    assert.equal(values.get('gatehouse_requests_total{route="users",status="200"}'), 2)
    assert.equal(values.get('gatehouse_requests_total{route="orders",status="200"}'), 1, 'a removed route keeps its (monotonic) counter')
    assert.equal(values.get('gatehouse_requests_total{route="billing",status="201"}'), 1)
    assert.equal(values.get(`gatehouse_requests_total{route="${UNMATCHED_ROUTE_LABEL}",status="200"}`), 1)
  })

  it('shows histogram series for configured routes before their first request', async () => {
    const metrics = new GatewayMetrics({ defaultMetrics: false })
    metrics.setRoutes(['orders'])
    const { values } = await scrape(metrics)
    assert.equal(values.get('gatehouse_request_duration_seconds_count{route="orders"}'), 0)
    assert.equal(values.get(`gatehouse_request_duration_seconds_count{route="${UNMATCHED_ROUTE_LABEL}"}`), undefined)
  })

  it('tracks active connections, reloads and target health', async () => {
    const metrics = new GatewayMetrics({ defaultMetrics: false })
    metrics.connectionOpened()
    metrics.connectionOpened()
    metrics.connectionOpened()
    metrics.connectionClosed()
    metrics.recordReload(true)
    metrics.recordReload(true)
    metrics.recordReload(false)
    let healthy = true
    metrics.setUpstreamHealthSource(() => [
      { upstream: 'api', target: '10.0.0.1:80', healthy },
      { upstream: 'api', target: '10.0.0.2:80', healthy: false },
    ])
    let { values } = await scrape(metrics)
    assert.equal(values.get('gatehouse_active_connections'), 2)
    assert.equal(values.get('gatehouse_config_reloads_total{result="success"}'), 2)
    assert.equal(values.get('gatehouse_config_reloads_total{result="failure"}'), 1)
    assert.equal(values.get('gatehouse_upstream_target_healthy{target="10.0.0.1:80",upstream="api"}'), 1)
    assert.equal(values.get('gatehouse_upstream_target_healthy{target="10.0.0.2:80",upstream="api"}'), 0)
    healthy = false
    ;({ values } = await scrape(metrics))
    assert.equal(values.get('gatehouse_upstream_target_healthy{target="10.0.0.1:80",upstream="api"}'), 0, 'read at scrape time')
  })

  it('reads the JWK Sets at scrape time: usable keys, and fetches by result', async () => {
    const metrics = new GatewayMetrics({ defaultMetrics: false })
    const state = { jwksUri: 'https://as.example/jwks', keys: 0, fetchSuccesses: 0, fetchFailures: 3 }
    metrics.setJwksSource(() => [state])
    let { values } = await scrape(metrics)
    assert.equal(values.get('gatehouse_jwks_keys{jwks_uri="https://as.example/jwks"}'), 0)
    assert.equal(values.get('gatehouse_jwks_fetches_total{jwks_uri="https://as.example/jwks",result="failure"}'), 3)
    assert.equal(values.get('gatehouse_jwks_fetches_total{jwks_uri="https://as.example/jwks",result="success"}'), 0)
    Object.assign(state, { keys: 2, fetchSuccesses: 1 })
    ;({ values } = await scrape(metrics))
    assert.equal(values.get('gatehouse_jwks_keys{jwks_uri="https://as.example/jwks"}'), 2)
    assert.equal(values.get('gatehouse_jwks_fetches_total{jwks_uri="https://as.example/jwks",result="success"}'), 1)
  })

  it('escapes label values taken from config', async () => {
    const metrics = new GatewayMetrics({ defaultMetrics: false })
    metrics.setUpstreamHealthSource(() => [{ upstream: 'a"b', target: 'c\\d\ne', healthy: true }])
    const { body } = await metrics.expose()
    assert.match(body, /gatehouse_upstream_target_healthy\{upstream="a\\"b",target="c\\\\d\\ne"\} 1/)
  })

  it('includes the Node.js process metrics on its own registry, not the global one', async () => {
    const metrics = new GatewayMetrics()
    const { values } = await scrape(metrics)
    assert.ok(values.has('process_cpu_user_seconds_total'))
    assert.ok([...values.keys()].some((key) => key.startsWith('nodejs_eventloop_lag_seconds')))
    const { register } = await import('prom-client')
    assert.equal(register.getSingleMetric('process_cpu_user_seconds_total'), undefined)
  })

  it('resetMetrics() zeroes the plain counters', async () => {
    const metrics = new GatewayMetrics({ defaultMetrics: false })
    metrics.setRoutes(['orders'])
    metrics.recordRequest(0, 200, 0.01, 0.01)
    metrics.recordReload(true)
    metrics.registry.resetMetrics()
    const { values } = await scrape(metrics)
    assert.equal(values.get('gatehouse_requests_total{route="orders",status="200"}'), undefined)
    assert.equal(values.get('gatehouse_request_duration_seconds_count{route="orders"}'), 0)
    assert.equal(values.get('gatehouse_config_reloads_total{result="success"}'), 0)
  })
})
