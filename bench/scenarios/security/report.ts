// The security scenario's figures: medians per target, each profile's req/s relative to the
// passthrough route of the same gateway (medians of same-round ratios, so drift cancels), the
// gateway's CPU time per request and the same comparison made with it, and the bars of issue 5.
// Pure functions, tested without running wrk.
import { bar, barsJson, errorTotal, figuresJson, formatBars, formatFigures, key, medianFigures, pairRatios, ratiosJson, type Bar, type Figures } from '../../lib/figures.ts'
import type { MeasuredSample } from '../../lib/measured-rounds.ts'
import { round } from '../../lib/stats.ts'
import { formatTable, type Cell } from '../../lib/table.ts'

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

export interface SecurityReport {
  connections: number[]
  targets: string[]
  figures: Map<string, Figures>
  ratios: Map<string, number>
  /** `a/b`: b's CPU per request over a's, i.e. a's req/s relative to b's on a core of its own. */
  cpuRatios: Map<string, number>
  bars: Bar[]
}

export function buildReport(samples: readonly MeasuredSample[], targets: readonly string[], connections: readonly number[]): SecurityReport {
  const figures = medianFigures(samples, targets, connections)
  const ratios = new Map<string, number>()
  const cpuRatios = new Map<string, number>()
  for (const c of connections) {
    for (const [a, b] of RATIO_PAIRS) {
      const pair = pairRatios(samples, a, b, c)
      ratios.set(key(`${a}/${b}`, c), pair.rps)
      // The upstream's CPU is not measured, so there is no CPU ratio to it.
      if (b !== 'direct') cpuRatios.set(key(`${a}/${b}`, c), pair.cpu)
    }
  }
  const at = (pair: string): number => ratios.get(key(pair, BAR_CONNECTIONS)) ?? Number.NaN
  const errors = errorTotal(figures, GATEWAY_TARGETS.filter((target) => targets.includes(target)), connections)
  const bars = [
    bar('api-key ≥ 0.95× passthrough req/s', key('api-key/passthrough', BAR_CONNECTIONS), at('api-key/passthrough'), '>=', 0.95),
    bar('oauth-reused ≥ 0.9× passthrough req/s', key('oauth-reused/passthrough', BAR_CONNECTIONS), at('oauth-reused/passthrough'), '>=', 0.9),
    bar('gateway failed requests = 0', 'gateway/errors', errors, '<', 1),
  ]
  return { connections: [...connections], targets: [...targets], figures, ratios, cpuRatios, bars }
}

export function formatReport(report: SecurityReport): string {
  const sections = report.connections.map((c) => `${c} connections\n${formatFigures(report.figures, report.targets, c, 'gateway CPU µs/req')}`)
  const columns = report.connections.map((c) => `c${c}`)
  const ratioRows: Cell[][] = RATIO_PAIRS.map(([a, b]) => [`${a}/${b}`, ...report.connections.map((c) => report.ratios.get(key(`${a}/${b}`, c)) ?? Number.NaN)])
  const cpuRows: Cell[][] = RATIO_PAIRS.filter(([, b]) => b !== 'direct').map(([a, b]) => [`${a}/${b} by CPU`, ...report.connections.map((c) => report.cpuRatios.get(key(`${a}/${b}`, c)) ?? Number.NaN)])
  sections.push(`ratios of req/s, and of CPU per request inverted (medians of same-round pairs)\n${formatTable(['', ...columns], [...ratioRows, ...cpuRows])}`)
  sections.push(`bars (req/s at c${BAR_CONNECTIONS}; failed requests over all runs)\n${formatBars(report.bars)}`)
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
  for (const [name, f] of report.figures) targets[name] = figuresJson(f)
  return {
    scenario: 'security',
    targets,
    ratios: ratiosJson(report.ratios),
    cpu_ratios: ratiosJson(report.cpuRatios),
    bars: barsJson(report.bars),
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
