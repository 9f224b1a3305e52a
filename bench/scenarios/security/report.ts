// The security scenario's figures: medians per target, each profile's req/s relative to the
// passthrough route of the same gateway (medians of same-round ratios, so drift cancels), the
// gateway's CPU time per request and the same comparison made with it, and the bars of issue 5.
// Pure functions, tested without running wrk.
import { bar, barsJson, cpuRatios, errorTotal, figuresJson, formatBars, formatByConnections, formatFigures, key, medianFigures, pairName, rangeRowByConnections, rangesJson, roundedJson, rowByConnections, rpsRatioRanges, rpsRatios, settingsJson, targetsJson, type Bar, type Figures, type RatioRange, type RunContext } from '../../lib/figures.ts'
import type { MeasuredSample } from '../../lib/measured-rounds.ts'

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

/** The pairs compared by CPU per request too: the upstream's CPU is not measured, so not those with `direct`. */
const CPU_PAIRS = RATIO_PAIRS.filter(([, b]) => b !== 'direct')

/** Throughput bars are judged at 64 connections, as in the passthrough scenario. */
export const BAR_CONNECTIONS = 64

export interface SecurityReport {
  connections: number[]
  targets: string[]
  figures: Map<string, Figures>
  ratios: Map<string, number>
  /** The lowest and highest same-round ratio behind each median of `ratios`. */
  ratioRanges: Map<string, RatioRange>
  /** `a/b`: b's CPU per request over a's, i.e. a's req/s relative to b's on a core of its own. */
  cpuRatios: Map<string, number>
  bars: Bar[]
}

export function buildReport(samples: readonly MeasuredSample[], targets: readonly string[], connections: readonly number[]): SecurityReport {
  const figures = medianFigures(samples, targets, connections)
  const ratios = rpsRatios(samples, RATIO_PAIRS, connections)
  const cpu = cpuRatios(samples, CPU_PAIRS, connections)
  const at = (pair: string): number => ratios.get(key(pair, BAR_CONNECTIONS)) ?? Number.NaN
  const errors = errorTotal(figures, GATEWAY_TARGETS.filter((target) => targets.includes(target)), connections)
  const bars = [
    bar('api-key ≥ 0.95× passthrough req/s', key('api-key/passthrough', BAR_CONNECTIONS), at('api-key/passthrough'), '>=', 0.95),
    bar('oauth-reused ≥ 0.9× passthrough req/s', key('oauth-reused/passthrough', BAR_CONNECTIONS), at('oauth-reused/passthrough'), '>=', 0.9),
    bar('gateway failed requests = 0', 'gateway/errors', errors, '<', 1),
  ]
  return { connections: [...connections], targets: [...targets], figures, ratios, ratioRanges: rpsRatioRanges(samples, RATIO_PAIRS, connections), cpuRatios: cpu, bars }
}

export function formatReport(report: SecurityReport): string {
  const { connections } = report
  const sections = formatFigures(report.figures, report.targets, connections, 'gateway CPU µs/req')
  const rows = [
    ...RATIO_PAIRS.map((pair) => rowByConnections(pairName(pair), report.ratios, pairName(pair), connections)),
    ...RATIO_PAIRS.map((pair) => rangeRowByConnections(`${pairName(pair)}, rounds`, report.ratioRanges, pairName(pair), connections)),
    ...CPU_PAIRS.map((pair) => rowByConnections(`${pairName(pair)} by CPU`, report.cpuRatios, pairName(pair), connections)),
  ]
  sections.push(formatByConnections('ratios of req/s (medians of same-round pairs, then lowest–highest round), and of CPU per request inverted', connections, rows))
  sections.push(formatBars(`bars (req/s at c${BAR_CONNECTIONS}; failed requests over all runs)`, report.bars, report.ratioRanges))
  return sections.join('\n\n')
}

export interface JsonContext extends RunContext {
  upstream: string
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
  return {
    scenario: 'security',
    targets: targetsJson(report.figures, figuresJson),
    ratios: roundedJson(report.ratios),
    ratio_ranges: rangesJson(report.ratioRanges),
    cpu_ratios: roundedJson(report.cpuRatios),
    bars: barsJson(report.bars),
    skipped: context.skipped,
    settings: settingsJson(context, report.connections, { fresh_tokens: context.freshTokens, token_reuse: context.reuse, signing_algorithm: context.algorithm }),
  }
}
