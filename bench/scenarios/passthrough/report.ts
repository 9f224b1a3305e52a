// Turns the passthrough samples into the figures people read: medians per target and connection
// count, ratios between targets, added latency over the direct upstream, and the bars from the
// performance goals. Pure functions, so the arithmetic is testable without running wrk.
import type { Sample } from '../../lib/rounds.ts'
import { median, round } from '../../lib/stats.ts'
import { formatTable, type Cell } from '../../lib/table.ts'
import { wrkErrorCount } from '../../lib/wrk-parse.ts'

export interface TargetFigures {
  rps: number
  p50Ms: number
  p99Ms: number
  /** Failed requests over all rounds (non-2xx/3xx and socket errors). */
  errors: number
}

/** `subject/baseline`: req/s of the subject divided by req/s of the baseline. */
export const RATIO_PAIRS = [
  ['gatehouse', 'reference'],
  ['gatehouse', 'nginx'],
  ['gatehouse', 'direct'],
  ['reference', 'nginx'],
  ['reference', 'direct'],
  ['nginx', 'direct'],
] as const

/** Targets whose p99 is compared with the direct upstream's. */
export const PROXY_TARGETS = ['gatehouse', 'nginx', 'reference'] as const

export interface Bar {
  label: string
  key: string
  value: number
  op: '>=' | '<'
  threshold: number
  status: 'PASS' | 'FAIL' | 'n/a'
}

export interface PassthroughReport {
  connections: number[]
  targets: string[]
  figures: Map<string, TargetFigures>
  ratios: Map<string, number>
  addedP99Ms: Map<string, number>
  bars: Bar[]
}

export const key = (target: string, connections: number): string => `${target}@c${connections}`

function samplesOf(samples: readonly Sample[], target: string, connections: number): Sample[] {
  return samples.filter((s) => s.target === target && s.connections === connections)
}

/**
 * Median over rounds of a per-round comparison. Both figures of a pair come from the same round,
 * measured seconds apart, so the machine's slow drift cancels out of the ratio.
 */
function pairedMedian(samples: readonly Sample[], a: string, b: string, connections: number, compare: (a: Sample, b: Sample) => number): number {
  const byRound = new Map(samplesOf(samples, b, connections).map((s) => [s.round, s]))
  const values = samplesOf(samples, a, connections).flatMap((s) => {
    const other = byRound.get(s.round)
    return other === undefined ? [] : [compare(s, other)]
  })
  return median(values)
}

function bar(label: string, barKey: string, value: number, op: Bar['op'], threshold: number): Bar {
  const status = !Number.isFinite(value) ? 'n/a' : (op === '>=' ? value >= threshold : value < threshold) ? 'PASS' : 'FAIL'
  return { label, key: barKey, value, op, threshold, status }
}

/** The throughput bars apply at 64 connections, the load the performance goals were set for. */
export const BAR_CONNECTIONS = 64
/**
 * Added latency is judged with one connection: at 64 busy connections every proxy is saturated and
 * its p99 is queueing (Little's law), not the time the proxy itself adds to a request.
 */
export const LATENCY_BAR_CONNECTIONS = 1

export function buildReport(samples: readonly Sample[], targets: readonly string[], connections: readonly number[]): PassthroughReport {
  const figures = new Map<string, TargetFigures>()
  for (const c of connections) {
    for (const target of targets) {
      const own = samplesOf(samples, target, c)
      if (own.length === 0) continue
      figures.set(key(target, c), {
        rps: median(own.map((s) => s.result.rps)),
        p50Ms: median(own.map((s) => s.result.p50Ms)),
        p99Ms: median(own.map((s) => s.result.p99Ms)),
        errors: own.reduce((sum, s) => sum + wrkErrorCount(s.result), 0),
      })
    }
  }
  const ratios = new Map<string, number>()
  const addedP99Ms = new Map<string, number>()
  for (const c of connections) {
    for (const [a, b] of RATIO_PAIRS) ratios.set(key(`${a}/${b}`, c), pairedMedian(samples, a, b, c, (x, y) => x.result.rps / y.result.rps))
    for (const proxy of PROXY_TARGETS) addedP99Ms.set(key(proxy, c), pairedMedian(samples, proxy, 'direct', c, (x, y) => x.result.p99Ms - y.result.p99Ms))
  }
  const at = (name: string): number => ratios.get(key(name, BAR_CONNECTIONS)) ?? Number.NaN
  const gatehouseErrors = connections.reduce((sum, c) => sum + (figures.get(key('gatehouse', c))?.errors ?? Number.NaN), 0)
  const bars = [
    bar('gatehouse ≥ 1.0× reference req/s', key('gatehouse/reference', BAR_CONNECTIONS), at('gatehouse/reference'), '>=', 1.0),
    bar('gatehouse ≥ 0.3× nginx req/s', key('gatehouse/nginx', BAR_CONNECTIONS), at('gatehouse/nginx'), '>=', 0.3),
    bar(`gatehouse adds < 1 ms to p99 (c${LATENCY_BAR_CONNECTIONS})`, key('gatehouse/added_p99_ms', LATENCY_BAR_CONNECTIONS), addedP99Ms.get(key('gatehouse', LATENCY_BAR_CONNECTIONS)) ?? Number.NaN, '<', 1),
    bar('gatehouse failed requests = 0', 'gatehouse/errors', gatehouseErrors, '<', 1),
  ]
  return { connections: [...connections], targets: [...targets], figures, ratios, addedP99Ms, bars }
}

export function formatReport(report: PassthroughReport): string {
  const sections: string[] = []
  for (const c of report.connections) {
    const rows: Cell[][] = report.targets.map((target) => {
      const f = report.figures.get(key(target, c))
      return f === undefined ? [target, '-', '-', '-', '-'] : [target, f.rps, f.p50Ms, f.p99Ms, String(f.errors)]
    })
    sections.push(`${c} connections\n${formatTable(['target', 'req/s', 'p50 ms', 'p99 ms', 'errors'], rows)}`)
  }
  const columns = report.connections.map((c) => `c${c}`)
  const ratioRows: Cell[][] = RATIO_PAIRS.map(([a, b]) => [`${a}/${b}`, ...report.connections.map((c) => report.ratios.get(key(`${a}/${b}`, c)) ?? Number.NaN)])
  const addedRows: Cell[][] = PROXY_TARGETS.map((proxy) => [`${proxy} added p99 ms`, ...report.connections.map((c) => report.addedP99Ms.get(key(proxy, c)) ?? Number.NaN)])
  sections.push(`ratios of req/s and added p99 over direct (medians of same-round pairs)\n${formatTable(['', ...columns], [...ratioRows, ...addedRows])}`)
  const barRows: Cell[][] = report.bars.map((b) => [b.label, Number.isFinite(b.value) ? round(b.value, 3).toString() : '-', b.status])
  sections.push(`bars (req/s at c${BAR_CONNECTIONS}, added p99 at c${LATENCY_BAR_CONNECTIONS}; failed requests over all runs)\n${formatTable(['', 'value', ''], barRows)}`)
  return sections.join('\n\n')
}

export interface JsonContext {
  upstream: string
  pinning: { proxyCpu: number; loadCpu: number } | null
  durationS: number
  rounds: number
  warmupS: number
  /** One-minute load average when the run started. */
  loadAvg1m: number
  skipped: Record<string, string>
}

/** The `--json` object; the `targets` and `ratios` members keep the documented shape. */
export function reportJson(report: PassthroughReport, context: JsonContext): Record<string, unknown> {
  const targets: Record<string, unknown> = {}
  for (const [name, f] of report.figures) targets[name] = { rps: round(f.rps, 0), p50_ms: round(f.p50Ms, 3), p99_ms: round(f.p99Ms, 3), errors: f.errors }
  const ratios: Record<string, number> = {}
  for (const [name, value] of report.ratios) ratios[name] = round(value, 3)
  const added: Record<string, number> = {}
  for (const [name, value] of report.addedP99Ms) added[name] = round(value, 3)
  return {
    scenario: 'passthrough',
    targets,
    ratios,
    added_p99_ms: added,
    bars: report.bars.map((b) => ({ name: b.key, value: Number.isFinite(b.value) ? round(b.value, 3) : null, op: b.op, threshold: b.threshold, status: b.status })),
    skipped: context.skipped,
    settings: {
      upstream: context.upstream,
      pinning: context.pinning,
      duration_s: context.durationS,
      rounds: context.rounds,
      warmup_s: context.warmupS,
      load_avg_1m: round(context.loadAvg1m, 2),
      connections: report.connections,
    },
  }
}
