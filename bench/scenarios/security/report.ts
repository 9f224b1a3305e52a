// The security scenario's figures: medians per target, each profile's req/s relative to the
// passthrough route of the same gateway (medians of same-round ratios, so drift cancels), the
// gateway's CPU time per request and the same comparison made with it, and the bars of issue 5.
// Pure functions, tested without running wrk.
import { median, round } from '../../lib/stats.ts'
import { formatTable, type Cell } from '../../lib/table.ts'
import { wrkErrorCount } from '../../lib/wrk-parse.ts'
import type { SecuritySample } from './rounds.ts'

export const SECURITY_TARGETS = ['direct', 'passthrough', 'api-key', 'oauth-reused', 'oauth-fresh'] as const
export type SecurityTargetName = (typeof SECURITY_TARGETS)[number]

/** Rows served by the gateway, whose failed requests must be zero. */
const GATEWAY_TARGETS: readonly string[] = ['passthrough', 'api-key', 'oauth-reused', 'oauth-fresh']

/** `subject/baseline` pairs reported as ratios of req/s. */
export const RATIO_PAIRS = [
  ['api-key', 'passthrough'],
  ['oauth-reused', 'passthrough'],
  ['oauth-fresh', 'passthrough'],
  ['passthrough', 'direct'],
] as const

/** Throughput bars are judged at 64 connections, as in the passthrough scenario. */
export const BAR_CONNECTIONS = 64

export interface Figures {
  rps: number
  p50Ms: number
  p99Ms: number
  errors: number
  /** Gateway CPU per request (µs), median over rounds; NaN where it was not measured. */
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

export interface SecurityReport {
  connections: number[]
  targets: string[]
  figures: Map<string, Figures>
  ratios: Map<string, number>
  /** `a/b`: b's CPU per request over a's, i.e. a's req/s relative to b's on a core of its own. */
  cpuRatios: Map<string, number>
  bars: Bar[]
}

export const key = (target: string, connections: number): string => `${target}@c${connections}`

function own(samples: readonly SecuritySample[], target: string, connections: number): SecuritySample[] {
  return samples.filter((s) => s.target === target && s.connections === connections)
}

const cpuUsOf = (s: SecuritySample): number => (s.cpuSeconds === undefined || s.result.requests === 0 ? Number.NaN : s.cpuSeconds * 1e6 / s.result.requests)

function sameRoundRatio(samples: readonly SecuritySample[], a: string, b: string, connections: number, figure: (s: SecuritySample) => number): number {
  const baseline = new Map(own(samples, b, connections).map((s) => [s.round, figure(s)]))
  return median(own(samples, a, connections).flatMap((s) => {
    const other = baseline.get(s.round)
    return other === undefined || other === 0 ? [] : [figure(s) / other]
  }))
}

function bar(label: string, barKey: string, value: number, op: Bar['op'], threshold: number): Bar {
  const status = !Number.isFinite(value) ? 'n/a' : (op === '>=' ? value >= threshold : value < threshold) ? 'PASS' : 'FAIL'
  return { label, key: barKey, value, op, threshold, status }
}

export function buildReport(samples: readonly SecuritySample[], targets: readonly string[], connections: readonly number[]): SecurityReport {
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
  const ratios = new Map<string, number>()
  const cpuRatios = new Map<string, number>()
  for (const c of connections) {
    for (const [a, b] of RATIO_PAIRS) {
      ratios.set(key(`${a}/${b}`, c), sameRoundRatio(samples, a, b, c, (s) => s.result.rps))
      // Inverted: less CPU per request is more requests per second.
      if (b !== 'direct') cpuRatios.set(key(`${a}/${b}`, c), 1 / sameRoundRatio(samples, a, b, c, cpuUsOf))
    }
  }
  const at = (pair: string): number => ratios.get(key(pair, BAR_CONNECTIONS)) ?? Number.NaN
  const measured = GATEWAY_TARGETS.filter((target) => targets.includes(target))
  const errors = measured.length === 0 ? Number.NaN : connections.reduce((sum, c) => sum + measured.reduce((inner, target) => inner + (figures.get(key(target, c))?.errors ?? Number.NaN), 0), 0)
  const bars = [
    bar('api-key ≥ 0.95× passthrough req/s', key('api-key/passthrough', BAR_CONNECTIONS), at('api-key/passthrough'), '>=', 0.95),
    bar('oauth-reused ≥ 0.9× passthrough req/s', key('oauth-reused/passthrough', BAR_CONNECTIONS), at('oauth-reused/passthrough'), '>=', 0.9),
    bar('gateway failed requests = 0', 'gateway/errors', errors, '<', 1),
  ]
  return { connections: [...connections], targets: [...targets], figures, ratios, cpuRatios, bars }
}

export function formatReport(report: SecurityReport): string {
  const sections: string[] = []
  for (const c of report.connections) {
    const rows: Cell[][] = report.targets.map((target) => {
      const f = report.figures.get(key(target, c))
      return f === undefined ? [target, '-', '-', '-', '-', '-'] : [target, f.rps, f.p50Ms, f.p99Ms, String(f.errors), f.cpuUs]
    })
    sections.push(`${c} connections\n${formatTable(['target', 'req/s', 'p50 ms', 'p99 ms', 'errors', 'gateway CPU µs/req'], rows)}`)
  }
  const columns = report.connections.map((c) => `c${c}`)
  const ratioRows: Cell[][] = RATIO_PAIRS.map(([a, b]) => [`${a}/${b}`, ...report.connections.map((c) => report.ratios.get(key(`${a}/${b}`, c)) ?? Number.NaN)])
  const cpuRows: Cell[][] = RATIO_PAIRS.filter(([, b]) => b !== 'direct').map(([a, b]) => [`${a}/${b} by CPU`, ...report.connections.map((c) => report.cpuRatios.get(key(`${a}/${b}`, c)) ?? Number.NaN)])
  sections.push(`ratios of req/s, and of CPU per request inverted (medians of same-round pairs)\n${formatTable(['', ...columns], [...ratioRows, ...cpuRows])}`)
  const barRows: Cell[][] = report.bars.map((b) => [b.label, Number.isFinite(b.value) ? round(b.value, 3).toString() : '-', b.status])
  sections.push(`bars (req/s at c${BAR_CONNECTIONS}; failed requests over all runs)\n${formatTable(['', 'value', ''], barRows)}`)
  return sections.join('\n\n')
}

export interface JsonContext {
  upstream: string
  pinning: { proxyCpu: number; loadCpu: number } | null
  durationS: number
  rounds: number
  warmupS: number
  loadAvg1m: number
  /** Distinct tokens the oauth-fresh row cycles through. */
  freshTokens: number
  /** API requests per token request in the oauth-reused row. */
  reuse: number
  /** The key manager's signing algorithm. */
  algorithm: string
  skipped: Record<string, string>
}

/** The `--json` object, in the passthrough scenario's shape. */
export function reportJson(report: SecurityReport, context: JsonContext): Record<string, unknown> {
  const targets: Record<string, unknown> = {}
  for (const [name, f] of report.figures) targets[name] = { rps: round(f.rps, 0), p50_ms: round(f.p50Ms, 3), p99_ms: round(f.p99Ms, 3), errors: f.errors, cpu_us_per_request: round(f.cpuUs, 1) }
  const ratios: Record<string, number> = {}
  for (const [name, value] of report.ratios) ratios[name] = round(value, 3)
  const cpuRatios: Record<string, number> = {}
  for (const [name, value] of report.cpuRatios) cpuRatios[name] = round(value, 3)
  return {
    scenario: 'security',
    targets,
    ratios,
    cpu_ratios: cpuRatios,
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
      fresh_tokens: context.freshTokens,
      token_reuse: context.reuse,
      signing_algorithm: context.algorithm,
    },
  }
}
