// Cost of recording one request's metrics, in ns: GatewayMetrics.recordRequest (plain counters
// read at scrape time) next to prom-client's own counter + two histograms per request.
// Run: node bench/micro/metrics.ts [requests]
import { Counter, Histogram, Registry } from 'prom-client'
import { LATENCY_BUCKETS } from '../../src/observability/latency-histogram.ts'
import { GatewayMetrics } from '../../src/observability/metrics.ts'

const requests = Number(process.argv[2] ?? 5_000_000)
const routes = Array.from({ length: 50 }, (_, i) => `route-${i}`)
const statuses = [200, 200, 200, 200, 201, 204, 304, 404, 429, 502]

function measure(name: string, record: (i: number) => void): void {
  for (let i = 0; i < 200_000; i++) record(i) // warm-up
  const start = process.hrtime.bigint()
  for (let i = 0; i < requests; i++) record(i)
  const perCall = Number(process.hrtime.bigint() - start) / requests
  console.log(`${name.padEnd(44)} ${perCall.toFixed(1).padStart(7)} ns per request`)
}

const metrics = new GatewayMetrics({ defaultMetrics: false })
metrics.setRoutes(routes)
measure('GatewayMetrics.recordRequest', (i) => metrics.recordRequest(i % 50, statuses[i % 10], 0.0004 + (i % 97) / 10_000, 0.0003))

const registry = new Registry()
const counter = new Counter({ name: 'requests_total', help: 'h', labelNames: ['route', 'status'], registers: [registry] })
const total = new Histogram({ name: 'request_seconds', help: 'h', labelNames: ['route'], buckets: [...LATENCY_BUCKETS], registers: [registry] })
const upstream = new Histogram({ name: 'upstream_seconds', help: 'h', labelNames: ['route'], buckets: [...LATENCY_BUCKETS], registers: [registry] })
measure('prom-client inc() + 2 × observe() with labels', (i) => {
  const route = routes[i % 50]
  counter.inc({ route, status: statuses[i % 10] })
  total.observe({ route }, 0.0004 + (i % 97) / 10_000)
  upstream.observe({ route }, 0.0003)
})

const start = process.hrtime.bigint()
const body = (await metrics.expose()).body
console.log(`scrape of 50 routes: ${(Number(process.hrtime.bigint() - start) / 1e6).toFixed(2)} ms, ${body.length} bytes`)
