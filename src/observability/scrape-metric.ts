import type { Aggregator, Metric, Registry } from 'prom-client'

/** One sample as prom-client's registry and AggregatorRegistry expect it. */
export interface Sample {
  value: number
  labels: Record<string, string | number>
  /** For histograms: `<name>_bucket`, `<name>_sum` or `<name>_count`. */
  metricName?: string
}

export interface ScrapeMetricDefinition {
  name: string
  help: string
  type: 'counter' | 'gauge' | 'histogram'
  /** How a cluster primary combines this metric across workers. */
  aggregator: Aggregator
  /** Reads the current values; called only when /metrics is scraped. */
  collect: () => Sample[]
  reset?: () => void
}

/**
 * Registers a metric whose values are computed at scrape time from plain counters, so the request
 * path never touches prom-client. A registry only needs `name` and `get()` (plus `reset()` for
 * `resetMetrics()`); `get()` returns the same shape as prom-client's own metrics, which is what
 * `getMetricsAsJSON()` and `AggregatorRegistry.aggregate()` consume.
 */
export function registerScrapeMetric(registry: Registry, definition: ScrapeMetricDefinition): void {
  const { name, help, type, aggregator, collect } = definition
  const metric = {
    name,
    help,
    type,
    aggregator,
    get: async () => ({ name, help, type, aggregator, values: collect() }),
    reset: definition.reset ?? (() => {}),
  }
  // prom-client's typings only admit its own classes, though the registry is duck-typed.
  registry.registerMetric(metric as unknown as Metric)
}
