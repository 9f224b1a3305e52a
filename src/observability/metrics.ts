import { collectDefaultMetrics, Registry } from 'prom-client'
import { serveWorkerMetrics } from './cluster-metrics.ts'
import { LATENCY_BUCKETS, LatencyHistogram } from './latency-histogram.ts'
import { registerScrapeMetric, type Sample } from './scrape-metric.ts'

/** Route index for requests that matched no route. */
export const NO_ROUTE = -1
/** `route` label of requests that matched no route (route names cannot contain parentheses). */
export const UNMATCHED_ROUTE_LABEL = '(unmatched)'
/** Route index for requests the key manager answered (token, introspection, JWKS, registry…). */
export const KEY_MANAGER_ROUTE = -2
/** `route` label of those requests. */
export const KEY_MANAGER_ROUTE_LABEL = '(key manager)'

export interface TargetHealth {
  upstream: string
  target: string
  healthy: boolean
}

/** What `gatehouse_jwks_*` read of one JWK Set the jwt policy uses. */
export interface JwksState {
  /** The URL without credentials or query. */
  jwksUri: string
  /** Keys that can verify tokens now; 0 means every token of that issuer is refused. */
  keys: number
  fetchSuccesses: number
  fetchFailures: number
}

export interface GatewayMetricsOptions {
  /** Histogram upper bounds in seconds. */
  buckets?: readonly number[]
  /** Node.js process metrics (CPU, memory, event loop, GC). Default true. */
  defaultMetrics?: boolean
}

// RFC 9110 §15: status codes run from 100 to 599; one slot per code keeps counting to an indexed
// increment. Anything else (which a conforming peer never sends) is counted under status "0".
const STATUS_SLOTS = 600

class RouteSeries {
  readonly name: string
  readonly statusCounts = new Float64Array(STATUS_SLOTS)
  readonly total: LatencyHistogram
  readonly upstream: LatencyHistogram

  constructor(name: string, buckets: readonly number[]) {
    this.name = name
    this.total = new LatencyHistogram(buckets)
    this.upstream = new LatencyHistogram(buckets)
  }
}

/**
 * Gateway metrics kept as plain numbers on the request path and turned into Prometheus samples
 * only when /metrics is scraped (prom-client's own `observe()` costs ~5% of proxy throughput).
 * Series are keyed by route name, so a reload that keeps a route keeps its counters.
 */
export class GatewayMetrics {
  readonly registry = new Registry()
  readonly #buckets: readonly number[]
  readonly #seriesByName = new Map<string, RouteSeries>()
  /** Route names by route index; a route's series is made when its first request ends. */
  #namesByIndex: readonly string[] = []
  #seriesByIndex: (RouteSeries | undefined)[] = []
  #currentNames = new Set<string>()
  /** Stands for every configured route that has not had a request yet: all zero. */
  readonly #idle: RouteSeries
  readonly #unmatched: RouteSeries
  readonly #keyManager: RouteSeries
  #activeConnections = 0
  readonly #reloads = { success: 0, failure: 0 }
  #healthSource: () => Iterable<TargetHealth> = () => []
  #jwksSource: () => Iterable<JwksState> = () => []

  constructor(options: GatewayMetricsOptions = {}) {
    this.#buckets = options.buckets ?? LATENCY_BUCKETS
    this.#unmatched = this.#series(UNMATCHED_ROUTE_LABEL)
    this.#keyManager = this.#series(KEY_MANAGER_ROUTE_LABEL)
    this.#idle = new RouteSeries('', this.#buckets)
    this.#register()
    if (options.defaultMetrics ?? true) collectDefaultMetrics({ register: this.registry })
  }

  /**
   * Route names by route index, as the router numbers them; call at load and after each reload.
   * Series are made on a route's first request (a reload keeps those of routes it keeps): a
   * config of 10,000 routes would otherwise allocate tens of megabytes of counters at load.
   */
  setRoutes(names: readonly string[]): void {
    this.#namesByIndex = names
    this.#seriesByIndex = names.map((name) => this.#seriesByName.get(name))
    this.#currentNames = new Set(names)
  }

  /** Called once per finished request; plain arithmetic only (after a route's first request). */
  recordRequest(routeIndex: number, status: number, totalSeconds: number, upstreamSeconds: number | undefined): void {
    const byIndex = this.#seriesByIndex
    const series = routeIndex >= 0 && routeIndex < byIndex.length
      ? byIndex[routeIndex] ?? (byIndex[routeIndex] = this.#series(this.#namesByIndex[routeIndex]))
      : routeIndex === KEY_MANAGER_ROUTE ? this.#keyManager : this.#unmatched
    series.statusCounts[status >= 100 && status < STATUS_SLOTS ? status : 0]++
    series.total.observe(totalSeconds)
    if (upstreamSeconds !== undefined) series.upstream.observe(upstreamSeconds)
  }

  connectionOpened(): void {
    this.#activeConnections++
  }

  connectionClosed(): void {
    this.#activeConnections--
  }

  /** Counts a config reload attempt by outcome. */
  recordReload(ok: boolean): void {
    if (ok) this.#reloads.success++
    else this.#reloads.failure++
  }

  /** Where `gatehouse_upstream_target_healthy` reads target health from at scrape time. */
  setUpstreamHealthSource(source: () => Iterable<TargetHealth>): void {
    this.#healthSource = source
  }

  /** Where `gatehouse_jwks_keys` and `gatehouse_jwks_fetches_total` read the JWK Sets from at scrape time. */
  setJwksSource(source: () => Iterable<JwksState>): void {
    this.#jwksSource = source
  }

  /** The Prometheus text exposition of this process's metrics. */
  async expose(): Promise<{ contentType: string; body: string }> {
    return { contentType: this.registry.contentType, body: await this.registry.metrics() }
  }

  /** In a cluster worker: answer the primary's metric requests (see cluster-metrics.ts). */
  enableClusterReporting(): () => void {
    return serveWorkerMetrics(this.registry)
  }

  #series(name: string): RouteSeries {
    let series = this.#seriesByName.get(name)
    if (series === undefined) {
      series = new RouteSeries(name, this.#buckets)
      this.#seriesByName.set(name, series)
    }
    return series
  }

  #register(): void {
    const { registry } = this
    registerScrapeMetric(registry, {
      name: 'gatehouse_requests_total',
      help: 'Requests handled, by route and response status (499: client went away first).',
      type: 'counter',
      aggregator: 'sum',
      collect: () => {
        const samples: Sample[] = []
        for (const series of this.#seriesByName.values()) {
          const counts = series.statusCounts
          for (let status = 0; status < STATUS_SLOTS; status++) {
            if (counts[status] !== 0) samples.push({ labels: { route: series.name, status: String(status) }, value: counts[status] })
          }
        }
        return samples
      },
      reset: () => {
        for (const series of this.#seriesByName.values()) series.statusCounts.fill(0)
      },
    })
    this.#registerHistogram('gatehouse_request_duration_seconds', 'Time from request start to the end of the response, by route.', (series) => series.total)
    this.#registerHistogram('gatehouse_upstream_duration_seconds', 'Time from sending the request upstream to the upstream response head, by route.', (series) => series.upstream)
    registerScrapeMetric(registry, {
      name: 'gatehouse_active_connections',
      help: 'Open client connections.',
      type: 'gauge',
      aggregator: 'sum',
      collect: () => [{ labels: {}, value: this.#activeConnections }],
    })
    registerScrapeMetric(registry, {
      name: 'gatehouse_upstream_target_healthy',
      help: '1 when the target receives traffic, 0 when it is ejected or failing health checks. Across workers: the minimum.',
      type: 'gauge',
      // A target counts as healthy only while every worker still sends it traffic.
      aggregator: 'min',
      collect: () => Array.from(this.#healthSource(), (h) => ({ labels: { upstream: h.upstream, target: h.target }, value: h.healthy ? 1 : 0 })),
    })
    registerScrapeMetric(registry, {
      name: 'gatehouse_jwks_keys',
      help: 'Usable keys of each JWK Set the jwt policy fetches; 0: tokens of that issuer are refused (503). Across workers: the minimum.',
      type: 'gauge',
      aggregator: 'min',
      collect: () => Array.from(this.#jwksSource(), (state) => ({ labels: { jwks_uri: state.jwksUri }, value: state.keys })),
    })
    registerScrapeMetric(registry, {
      name: 'gatehouse_jwks_fetches_total',
      help: 'JWK Set fetches by result: success (a usable document) or failure (unreachable, timeout, not 200, no usable key, …).',
      type: 'counter',
      aggregator: 'sum',
      collect: () => Array.from(this.#jwksSource()).flatMap((state) => [
        { labels: { jwks_uri: state.jwksUri, result: 'success' }, value: state.fetchSuccesses },
        { labels: { jwks_uri: state.jwksUri, result: 'failure' }, value: state.fetchFailures },
      ]),
    })
    registerScrapeMetric(registry, {
      name: 'gatehouse_config_reloads_total',
      help: 'Configuration reload attempts by result.',
      type: 'counter',
      // Every worker applies every reload, so across workers the count is the largest, not the sum.
      aggregator: 'max',
      collect: () => [
        { labels: { result: 'success' }, value: this.#reloads.success },
        { labels: { result: 'failure' }, value: this.#reloads.failure },
      ],
      reset: () => {
        this.#reloads.success = 0
        this.#reloads.failure = 0
      },
    })
  }

  #registerHistogram(name: string, help: string, pick: (series: RouteSeries) => LatencyHistogram): void {
    registerScrapeMetric(this.registry, {
      name,
      help,
      type: 'histogram',
      aggregator: 'sum',
      collect: () => {
        const samples: Sample[] = []
        for (const series of this.#seriesByName.values()) {
          const histogram = pick(series)
          // Configured routes always have their series; unmatched and removed routes once they saw traffic.
          if (histogram.count === 0 && !this.#currentNames.has(series.name)) continue
          histogram.collect(name, { route: series.name }, samples)
        }
        const idle = pick(this.#idle)
        for (const routeName of this.#currentNames) {
          if (!this.#seriesByName.has(routeName)) idle.collect(name, { route: routeName }, samples)
        }
        return samples
      },
      reset: () => {
        for (const series of this.#seriesByName.values()) pick(series).reset()
      },
    })
  }
}
