// The figures of scenarios measured with measured-rounds.ts, reduced the same way everywhere:
// medians over rounds per target and connection count, ratios as medians of same-round ratios (the
// two figures of a pair are measured seconds apart, so the machine's drift cancels), the serving
// process's CPU per request, bars with PASS / FAIL / n/a, and the tables and `--json` members that
// show them. Pure functions.
import type { Pinning } from './cpus.ts'
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

/** compare(a's sample, b's sample) for each round that measured both. */
function sameRoundValues(samples: readonly MeasuredSample[], a: string, b: string, connections: number, compare: (a: MeasuredSample, b: MeasuredSample) => number): number[] {
  const baseline = new Map(own(samples, b, connections).map((s) => [s.round, s]))
  return own(samples, a, connections).flatMap((s) => {
    const other = baseline.get(s.round)
    return other === undefined ? [] : [compare(s, other)]
  })
}

/** Median over rounds of compare(a's sample, b's sample), pairing samples of the same round; NaN without pairs. */
export function sameRoundMedian(samples: readonly MeasuredSample[], a: string, b: string, connections: number, compare: (a: MeasuredSample, b: MeasuredSample) => number): number {
  return median(sameRoundValues(samples, a, b, connections, compare))
}

const ratioOf = (figure: (s: MeasuredSample) => number) => (x: MeasuredSample, y: MeasuredSample): number => {
  const base = figure(y)
  return base === 0 ? Number.NaN : figure(x) / base
}

/** Median over rounds of figure(a) / figure(b) in the same round; NaN without pairs. */
export function sameRoundRatio(samples: readonly MeasuredSample[], a: string, b: string, connections: number, figure: (s: MeasuredSample) => number): number {
  return sameRoundMedian(samples, a, b, connections, ratioOf(figure))
}

/**
 * The lowest and the highest same-round ratio behind a median: how far a single round strayed.
 * A bar judged on a median that sits inside a wide range says more about the machine than about
 * the code, and a second run is worth making before reading anything into it.
 */
export interface RatioRange {
  low: number
  high: number
}

/** Lowest and highest of figure(a) / figure(b) over the rounds; undefined without pairs. */
export function sameRoundRange(samples: readonly MeasuredSample[], a: string, b: string, connections: number, figure: (s: MeasuredSample) => number): RatioRange | undefined {
  const ratios = sameRoundValues(samples, a, b, connections, ratioOf(figure)).filter(Number.isFinite)
  return ratios.length === 0 ? undefined : { low: Math.min(...ratios), high: Math.max(...ratios) }
}

/** `a/b`: the name of a ratio of target a to target b. */
export const pairName = ([a, b]: readonly [string, string]): string => `${a}/${b}`

/** `a/b@cN` → median of same-round ratios of req/s, for each connection count and pair. */
export function rpsRatios(samples: readonly MeasuredSample[], pairs: readonly (readonly [string, string])[], connections: readonly number[]): Map<string, number> {
  const ratios = new Map<string, number>()
  for (const c of connections) {
    for (const pair of pairs) ratios.set(key(pairName(pair), c), sameRoundRatio(samples, pair[0], pair[1], c, (s) => s.result.rps))
  }
  return ratios
}

/** `a/b@cN` → b's CPU per request over a's, i.e. a's req/s relative to b's on a core of its own. */
export function cpuRatios(samples: readonly MeasuredSample[], pairs: readonly (readonly [string, string])[], connections: readonly number[]): Map<string, number> {
  const ratios = new Map<string, number>()
  for (const c of connections) {
    // Inverted: less CPU per request is more requests per second.
    for (const pair of pairs) ratios.set(key(pairName(pair), c), 1 / sameRoundRatio(samples, pair[0], pair[1], c, cpuUsOf))
  }
  return ratios
}

/** `a/b@cN` → the range of the same-round ratios of req/s behind rpsRatios. */
export function rpsRatioRanges(samples: readonly MeasuredSample[], pairs: readonly (readonly [string, string])[], connections: readonly number[]): Map<string, RatioRange> {
  const ranges = new Map<string, RatioRange>()
  for (const c of connections) {
    for (const pair of pairs) {
      const range = sameRoundRange(samples, pair[0], pair[1], c, (s) => s.result.rps)
      if (range !== undefined) ranges.set(key(pairName(pair), c), range)
    }
  }
  return ranges
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

/** Header of the figure columns: the rate (`req/s`, `tokens/s`), p50, p99, errors, and CPU per request when named. */
export function figureHeader(rate: string, cpuColumn?: string): string[] {
  return [rate, 'p50 ms', 'p99 ms', 'errors', ...(cpuColumn === undefined ? [] : [cpuColumn])]
}

/** The cells under figureHeader; `-` for a target without figures (it was skipped). */
export function figureCells(f: Figures | undefined, withCpu: boolean): Cell[] {
  const cells: Cell[] = f === undefined ? ['-', '-', '-', '-', '-'] : [f.rps, f.p50Ms, f.p99Ms, String(f.errors), f.cpuUs]
  return withCpu ? cells : cells.slice(0, 4)
}

/** `64 connections` and the table of that connection count below. */
export const connectionsSection = (connections: number, table: string): string => `${connections} connections\n${table}`

/** One section per connection count: req/s, p50, p99, errors (and CPU per request, given its column name) of each target. */
export function formatFigures(figures: ReadonlyMap<string, Figures>, targets: readonly string[], connections: readonly number[], cpuColumn?: string): string[] {
  return connections.map((c) => {
    const rows = targets.map((target) => [target, ...figureCells(figures.get(key(target, c)), cpuColumn !== undefined)])
    return connectionsSection(c, formatTable(['target', ...figureHeader('req/s', cpuColumn)], rows))
  })
}

/** A row of a table by connection count: `label`, then the value of `name` at each count (NaN where missing). */
export function rowByConnections(label: string, values: ReadonlyMap<string, number>, name: string, connections: readonly number[]): Cell[] {
  return [label, ...connections.map((c) => values.get(key(name, c)) ?? Number.NaN)]
}

/** `0.81–0.93`: a range as a table cell, `-` where there is none. */
export function rangeCell(range: RatioRange | undefined): Cell {
  return range === undefined ? '-' : `${range.low.toFixed(2)}–${range.high.toFixed(2)}`
}

/** A row of ranges by connection count, like rowByConnections. */
export function rangeRowByConnections(label: string, ranges: ReadonlyMap<string, RatioRange>, name: string, connections: readonly number[]): Cell[] {
  return [label, ...connections.map((c) => rangeCell(ranges.get(key(name, c))))]
}

/** `title`, then a table with one column per connection count (`c64`): ratios and the like. */
export function formatByConnections(title: string, connections: readonly number[], rows: readonly (readonly Cell[])[]): string {
  return `${title}\n${formatTable(['', ...connections.map((c) => `c${c}`)], rows)}`
}

/**
 * `title`, then each bar's label, value and PASS / FAIL / n/a. Given the ratios' ranges, a bar
 * whose rounds fell on both sides of its threshold says so: its verdict rests on the median alone.
 */
export function formatBars(title: string, bars: readonly Bar[], ranges?: ReadonlyMap<string, RatioRange>): string {
  const rows = bars.map((b) => {
    const range = ranges?.get(b.key)
    const straddles = range !== undefined && b.op === '>=' && range.low < b.threshold && range.high >= b.threshold
    return [b.label, Number.isFinite(b.value) ? round(b.value, 3).toString() : '-', b.status, straddles ? `rounds ${rangeCell(range)}: on both sides` : '']
  })
  return `${title}\n${formatTable(['', 'value', '', ''], rows)}`
}

/** A target's req/s, p50, p99 and errors in the `--json` object. */
export function latencyJson(f: Figures): Record<string, number> {
  return { rps: round(f.rps, 0), p50_ms: round(f.p50Ms, 3), p99_ms: round(f.p99Ms, 3), errors: f.errors }
}

/** latencyJson and the CPU per request, for scenarios that measure it. */
export function figuresJson(f: Figures): Record<string, number> {
  return { ...latencyJson(f), cpu_us_per_request: round(f.cpuUs, 1) }
}

/** The `targets` member of the `--json` object: `target@cN` → its figures. */
export function targetsJson(figures: ReadonlyMap<string, Figures>, toJson: (f: Figures) => Record<string, number>): Record<string, Record<string, number>> {
  const out: Record<string, Record<string, number>> = {}
  for (const [name, f] of figures) out[name] = toJson(f)
  return out
}

export function barsJson(bars: readonly Bar[]): Array<Record<string, unknown>> {
  return bars.map((b) => ({ name: b.key, value: Number.isFinite(b.value) ? round(b.value, 3) : null, op: b.op, threshold: b.threshold, status: b.status }))
}

/** Ratios and other derived figures rounded for the `--json` object. */
export function roundedJson(values: ReadonlyMap<string, number>, digits = 3): Record<string, number> {
  const out: Record<string, number> = {}
  for (const [name, value] of values) out[name] = round(value, digits)
  return out
}

/** Ranges for the `--json` object: `a/b@cN` → [lowest, highest], rounded. */
export function rangesJson(ranges: ReadonlyMap<string, RatioRange>, digits = 3): Record<string, [number, number]> {
  const out: Record<string, [number, number]> = {}
  for (const [name, range] of ranges) out[name] = [round(range.low, digits), round(range.high, digits)]
  return out
}

/** How a run was made, as every scenario reports it. */
export interface RunContext {
  /** The upstream's kind, in scenarios that have one. */
  upstream?: string
  pinning: Pinning | null
  durationS: number
  rounds: number
  warmupS: number
  /** One-minute load average when the run started. */
  loadAvg1m: number
}

/** The `settings` member of the `--json` object: the run's context, the connection counts, then the scenario's own `extra`. */
export function settingsJson(context: RunContext, connections: readonly number[], extra: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    ...(context.upstream === undefined ? {} : { upstream: context.upstream }),
    pinning: context.pinning,
    duration_s: context.durationS,
    rounds: context.rounds,
    warmup_s: context.warmupS,
    load_avg_1m: round(context.loadAvg1m, 2),
    connections: [...connections],
    ...extra,
  }
}
