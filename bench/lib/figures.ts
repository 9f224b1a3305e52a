// The figures of scenarios measured with measured-rounds.ts, reduced the same way everywhere:
// medians over rounds per target and connection count, ratios as medians of same-round ratios (the
// two figures of a pair are measured seconds apart, so the machine's drift cancels), the serving
// process's CPU per request, and bars with PASS / FAIL / n/a. Pure functions.
import type { MeasuredSample } from './measured-rounds.ts'
import { median, round } from './stats.ts'
import { formatTable, type Cell } from './table.ts'
import { wrkErrorCount } from './wrk-parse.ts'

export interface Figures {
  rps: number
  p50Ms: number
  p99Ms: number
  /** Failed requests over all rounds (non-2xx/3xx and socket errors). */
  errors: number
  /** CPU per request (µs) of the process serving the target, median over rounds; NaN where it was not measured. */
  cpuUs: number
}

export interface Bar {
  label: string
  key: string
  value: number
  op: '>=' | '<'
  threshold: number
  status: 'PASS' | 'FAIL' | 'n/a'
}

/** `target@c64`: the key of a figure, ratio or bar at one connection count. */
export const key = (target: string, connections: number): string => `${target}@c${connections}`

function own(samples: readonly MeasuredSample[], target: string, connections: number): MeasuredSample[] {
  return samples.filter((s) => s.target === target && s.connections === connections)
}

export const cpuUsOf = (s: MeasuredSample): number => (s.cpuSeconds === undefined || s.result.requests === 0 ? Number.NaN : s.cpuSeconds * 1e6 / s.result.requests)

/** Figures per `key(target, connections)`, for the targets that have samples. */
export function medianFigures(samples: readonly MeasuredSample[], targets: readonly string[], connections: readonly number[]): Map<string, Figures> {
  const figures = new Map<string, Figures>()
  for (const c of connections) {
    for (const target of targets) {
      const mine = own(samples, target, c)
      if (mine.length === 0) continue
      figures.set(key(target, c), {
        rps: median(mine.map((s) => s.result.rps)),
        p50Ms: median(mine.map((s) => s.result.p50Ms)),
        p99Ms: median(mine.map((s) => s.result.p99Ms)),
        errors: mine.reduce((sum, s) => sum + wrkErrorCount(s.result), 0),
        cpuUs: median(mine.map(cpuUsOf)),
      })
    }
  }
  return figures
}

/** Median over rounds of compare(a's sample, b's sample), pairing samples of the same round; NaN without pairs. */
export function sameRoundMedian(samples: readonly MeasuredSample[], a: string, b: string, connections: number, compare: (a: MeasuredSample, b: MeasuredSample) => number): number {
  const baseline = new Map(own(samples, b, connections).map((s) => [s.round, s]))
  return median(own(samples, a, connections).flatMap((s) => {
    const other = baseline.get(s.round)
    return other === undefined ? [] : [compare(s, other)]
  }))
}

/** Median over rounds of figure(a) / figure(b) in the same round; NaN without pairs. */
export function sameRoundRatio(samples: readonly MeasuredSample[], a: string, b: string, connections: number, figure: (s: MeasuredSample) => number): number {
  return sameRoundMedian(samples, a, b, connections, (x, y) => {
    const base = figure(y)
    return base === 0 ? Number.NaN : figure(x) / base
  })
}

/** req/s of a over b; and b's CPU per request over a's, i.e. a's req/s relative to b's on a core of its own. */
export function pairRatios(samples: readonly MeasuredSample[], a: string, b: string, connections: number): { rps: number; cpu: number } {
  return {
    rps: sameRoundRatio(samples, a, b, connections, (s) => s.result.rps),
    // Inverted: less CPU per request is more requests per second.
    cpu: 1 / sameRoundRatio(samples, a, b, connections, cpuUsOf),
  }
}

/**
 * Failed requests of `targets` over all connection counts. NaN when the list is empty or one of
 * them has no figures (it was skipped): a row that did not run cannot vouch for zero failures.
 */
export function errorTotal(figures: ReadonlyMap<string, Figures>, targets: readonly string[], connections: readonly number[]): number {
  if (targets.length === 0) return Number.NaN
  return connections.reduce((sum, c) => sum + targets.reduce((inner, target) => inner + (figures.get(key(target, c))?.errors ?? Number.NaN), 0), 0)
}

export function bar(label: string, barKey: string, value: number, op: Bar['op'], threshold: number): Bar {
  const status = !Number.isFinite(value) ? 'n/a' : (op === '>=' ? value >= threshold : value < threshold) ? 'PASS' : 'FAIL'
  return { label, key: barKey, value, op, threshold, status }
}

/** The table of one connection count: req/s, p50, p99, errors and CPU per request of each target. */
export function formatFigures(figures: ReadonlyMap<string, Figures>, targets: readonly string[], connections: number, cpuColumn: string): string {
  const rows: Cell[][] = targets.map((target) => {
    const f = figures.get(key(target, connections))
    return f === undefined ? [target, '-', '-', '-', '-', '-'] : [target, f.rps, f.p50Ms, f.p99Ms, String(f.errors), f.cpuUs]
  })
  return formatTable(['target', 'req/s', 'p50 ms', 'p99 ms', 'errors', cpuColumn], rows)
}

export function formatBars(bars: readonly Bar[]): string {
  return formatTable(['', 'value', ''], bars.map((b) => [b.label, Number.isFinite(b.value) ? round(b.value, 3).toString() : '-', b.status]))
}

/** A target's figures in the `--json` object. */
export function figuresJson(f: Figures): Record<string, number> {
  return { rps: round(f.rps, 0), p50_ms: round(f.p50Ms, 3), p99_ms: round(f.p99Ms, 3), errors: f.errors, cpu_us_per_request: round(f.cpuUs, 1) }
}

export function barsJson(bars: readonly Bar[]): Array<Record<string, unknown>> {
  return bars.map((b) => ({ name: b.key, value: Number.isFinite(b.value) ? round(b.value, 3) : null, op: b.op, threshold: b.threshold, status: b.status }))
}

/** Ratios rounded for the `--json` object. */
export function ratiosJson(ratios: ReadonlyMap<string, number>): Record<string, number> {
  const out: Record<string, number> = {}
  for (const [name, value] of ratios) out[name] = round(value, 3)
  return out
}
