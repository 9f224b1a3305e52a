import type { Sample } from './scrape-metric.ts'

/** Upper bounds (seconds) for gateway latencies: sub-millisecond proxying up to slow upstreams. */
export const LATENCY_BUCKETS: readonly number[] = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10]

/**
 * A Prometheus histogram kept as plain numbers: per-bucket (non-cumulative) counts, a sum and a
 * count. observe() is a short loop and two additions; cumulation happens at scrape time.
 */
export class LatencyHistogram {
  readonly #bounds: readonly number[]
  // counts[i] = observations in (bounds[i-1], bounds[i]]; the last slot is (last bound, +Inf).
  readonly #counts: Float64Array
  #sum = 0
  #count = 0

  constructor(bounds: readonly number[] = LATENCY_BUCKETS) {
    this.#bounds = bounds
    this.#counts = new Float64Array(bounds.length + 1)
  }

  observe(seconds: number): void {
    // NaN, negative or infinite values (a clock step) would poison the sum forever; count as 0.
    const value = seconds >= 0 && seconds < Infinity ? seconds : 0
    const bounds = this.#bounds
    let i = 0
    while (i < bounds.length && value > bounds[i]) i++
    this.#counts[i]++
    this.#sum += value
    this.#count++
  }

  get count(): number {
    return this.#count
  }

  reset(): void {
    this.#counts.fill(0)
    this.#sum = 0
    this.#count = 0
  }

  /** Appends the `_bucket` (cumulative, with `le`), `_sum` and `_count` samples for `labels`. */
  collect(name: string, labels: Record<string, string>, into: Sample[]): void {
    let cumulative = 0
    for (let i = 0; i < this.#bounds.length; i++) {
      cumulative += this.#counts[i]
      into.push({ metricName: name + '_bucket', labels: { ...labels, le: this.#bounds[i] }, value: cumulative })
    }
    into.push({ metricName: name + '_bucket', labels: { ...labels, le: '+Inf' }, value: this.#count })
    into.push({ metricName: name + '_sum', labels, value: this.#sum })
    into.push({ metricName: name + '_count', labels, value: this.#count })
  }
}
