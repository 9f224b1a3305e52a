// The openapi scenario's figures: medians per target, the req/s of each validated API relative to
// the same requests through the API without validation (medians of same-round ratios, so drift
// cancels), the same comparison made with the gateway's CPU per request, what validation adds in
// CPU µs per request (medians of same-round differences), and the bars. Pure functions, tested
// without running wrk.
import { bar, barsJson, cpuRatios, cpuUsOf, errorTotal, figuresJson, formatBars, formatByConnections, formatFigures, key, medianFigures, pairName, rangeRowByConnections, rangesJson, roundedJson, rowByConnections, rpsRatioRanges, rpsRatios, sameRoundMedian, settingsJson, targetsJson, type Bar, type Figures, type RatioRange, type RunContext } from '../../lib/figures.ts'
import type { MeasuredSample } from '../../lib/measured-rounds.ts'

export const OPENAPI_TARGETS = ['direct', 'get-off', 'get-on', 'post-off', 'post-on'] as const
export type OpenApiTargetName = (typeof OPENAPI_TARGETS)[number]

/** Rows served by the gateway, whose failed requests must be zero. */
const GATEWAY_TARGETS: readonly string[] = ['get-off', 'get-on', 'post-off', 'post-on']

/** `validated/unvalidated` pairs: the same requests through the API with and without validation. */
export const RATIO_PAIRS = [
  ['get-on', 'get-off'],
  ['post-on', 'post-off'],
] as const

/** Bars are judged at 64 connections, as in the other scenarios. */
export const BAR_CONNECTIONS = 64
/** Validation may cost at most 10 % of req/s. */
export const MIN_RATIO = 0.9

export interface OpenApiReport {
  connections: number[]
  targets: string[]
  figures: Map<string, Figures>
  ratios: Map<string, number>
  /** The lowest and highest same-round ratio behind each median of `ratios`. */
  ratioRanges: Map<string, RatioRange>
  /** `a/b`: b's CPU per request over a's, i.e. a's req/s relative to b's on a core of its own. */
  cpuRatios: Map<string, number>
  /** `get@c64`, `post@c64`: the gateway's CPU µs per request with validation minus without (median of same-round differences). */
  validationCpuUs: Map<string, number>
  bars: Bar[]
}

/** `get-on/get-off` → `get`. */
const methodOf = ([a]: readonly [string, string]): string => a.replace(/-on$/, '')

export function buildReport(samples: readonly MeasuredSample[], targets: readonly string[], connections: readonly number[]): OpenApiReport {
  const figures = medianFigures(samples, targets, connections)
  const ratios = rpsRatios(samples, RATIO_PAIRS, connections)
  const validationCpuUs = new Map<string, number>()
  for (const c of connections) {
    for (const pair of RATIO_PAIRS) {
      validationCpuUs.set(key(methodOf(pair), c), sameRoundMedian(samples, pair[0], pair[1], c, (on, off) => cpuUsOf(on) - cpuUsOf(off)))
    }
  }
  const at = (pair: string): number => ratios.get(key(pair, BAR_CONNECTIONS)) ?? Number.NaN
  const errors = errorTotal(figures, GATEWAY_TARGETS.filter((target) => targets.includes(target)), connections)
  const bars = [
    ...RATIO_PAIRS.map((pair) => bar(`${pair[0]} ≥ ${MIN_RATIO}× ${pair[1]} req/s`, key(pairName(pair), BAR_CONNECTIONS), at(pairName(pair)), '>=', MIN_RATIO)),
    bar('gateway failed requests = 0', 'gateway/errors', errors, '<', 1),
  ]
  return { connections: [...connections], targets: [...targets], figures, ratios, ratioRanges: rpsRatioRanges(samples, RATIO_PAIRS, connections), cpuRatios: cpuRatios(samples, RATIO_PAIRS, connections), validationCpuUs, bars }
}

export function formatReport(report: OpenApiReport): string {
  const { connections } = report
  const sections = formatFigures(report.figures, report.targets, connections, 'gateway CPU µs/req')
  const rows = [
    ...RATIO_PAIRS.map((pair) => rowByConnections(pairName(pair), report.ratios, pairName(pair), connections)),
    ...RATIO_PAIRS.map((pair) => rangeRowByConnections(`${pairName(pair)}, rounds`, report.ratioRanges, pairName(pair), connections)),
    ...RATIO_PAIRS.map((pair) => rowByConnections(`${pairName(pair)} by CPU`, report.cpuRatios, pairName(pair), connections)),
    ...RATIO_PAIRS.map((pair) => rowByConnections(`${methodOf(pair)}: validation CPU µs/req`, report.validationCpuUs, methodOf(pair), connections)),
  ]
  sections.push(formatByConnections('ratios of req/s (medians of same-round pairs, then lowest–highest round), and of CPU per request inverted', connections, rows))
  sections.push(formatBars(`bars (req/s at c${BAR_CONNECTIONS}; failed requests over all runs)`, report.bars, report.ratioRanges))
  return sections.join('\n\n')
}

export interface JsonContext extends RunContext {
  upstream: string
  /** Query string of the GET rows. */
  getQuery: string
  /** Size of the POST rows' body. */
  bodyBytes: number
  skipped: Record<string, string>
}

/** The `--json` object, in the security scenario's shape. */
export function reportJson(report: OpenApiReport, context: JsonContext): Record<string, unknown> {
  return {
    scenario: 'openapi',
    targets: targetsJson(report.figures, figuresJson),
    ratios: roundedJson(report.ratios),
    ratio_ranges: rangesJson(report.ratioRanges),
    cpu_ratios: roundedJson(report.cpuRatios),
    validation_cpu_us_per_request: roundedJson(report.validationCpuUs, 1),
    bars: barsJson(report.bars),
    skipped: context.skipped,
    settings: settingsJson(context, report.connections, { get_query: context.getQuery, body_bytes: context.bodyBytes }),
  }
}
