// Turns the passthrough samples into the figures people read: medians per target and connection
// count, ratios between targets, added latency over the direct upstream, and the bars from the
// performance goals. Pure functions, so the arithmetic is testable without running wrk.
import { bar, barsJson, errorTotal, formatBars, formatByConnections, formatFigures, key, latencyJson, medianFigures, pairName, rangeRowByConnections, rangesJson, roundedJson, rowByConnections, rpsRatioRanges, rpsRatios, sameRoundMedian, settingsJson, targetsJson, type Bar, type Figures, type RatioRange, type RunContext } from '../../lib/figures.ts'
import type { Sample } from '../../lib/rounds.ts'

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

export interface PassthroughReport {
  connections: number[]
  targets: string[]
  /** CPU per request is not measured here: `cpuUs` is NaN. */
  figures: Map<string, Figures>
  ratios: Map<string, number>
  /** The lowest and highest same-round ratio behind each median of `ratios`. */
  ratioRanges: Map<string, RatioRange>
  addedP99Ms: Map<string, number>
  bars: Bar[]
}

/** The throughput bars apply at 64 connections, the load the performance goals were set for. */
export const BAR_CONNECTIONS = 64
/**
 * Added latency is judged with one connection: at 64 busy connections every proxy is saturated and
 * its p99 is queueing (Little's law), not the time the proxy itself adds to a request.
 */
export const LATENCY_BAR_CONNECTIONS = 1

export function buildReport(samples: readonly Sample[], targets: readonly string[], connections: readonly number[]): PassthroughReport {
  const figures = medianFigures(samples, targets, connections)
  const ratios = rpsRatios(samples, RATIO_PAIRS, connections)
  const addedP99Ms = new Map<string, number>()
  for (const c of connections) {
    for (const proxy of PROXY_TARGETS) addedP99Ms.set(key(proxy, c), sameRoundMedian(samples, proxy, 'direct', c, (x, y) => x.result.p99Ms - y.result.p99Ms))
  }
  const at = (name: string): number => ratios.get(key(name, BAR_CONNECTIONS)) ?? Number.NaN
  const gatehouseErrors = errorTotal(figures, ['gatehouse'], connections)
  const bars = [
    bar('gatehouse ≥ 1.0× reference req/s', key('gatehouse/reference', BAR_CONNECTIONS), at('gatehouse/reference'), '>=', 1.0),
    bar('gatehouse ≥ 0.3× nginx req/s', key('gatehouse/nginx', BAR_CONNECTIONS), at('gatehouse/nginx'), '>=', 0.3),
    bar(`gatehouse adds < 1 ms to p99 (c${LATENCY_BAR_CONNECTIONS})`, key('gatehouse/added_p99_ms', LATENCY_BAR_CONNECTIONS), addedP99Ms.get(key('gatehouse', LATENCY_BAR_CONNECTIONS)) ?? Number.NaN, '<', 1),
    bar('gatehouse failed requests = 0', 'gatehouse/errors', gatehouseErrors, '<', 1),
  ]
  return { connections: [...connections], targets: [...targets], figures, ratios, ratioRanges: rpsRatioRanges(samples, RATIO_PAIRS, connections), addedP99Ms, bars }
}

export function formatReport(report: PassthroughReport): string {
  const { connections } = report
  const sections = formatFigures(report.figures, report.targets, connections)
  const rows = [
    ...RATIO_PAIRS.map((pair) => rowByConnections(pairName(pair), report.ratios, pairName(pair), connections)),
    ...RATIO_PAIRS.map((pair) => rangeRowByConnections(`${pairName(pair)}, rounds`, report.ratioRanges, pairName(pair), connections)),
    ...PROXY_TARGETS.map((proxy) => rowByConnections(`${proxy} added p99 ms`, report.addedP99Ms, proxy, connections)),
  ]
  sections.push(formatByConnections('ratios of req/s (medians of same-round pairs, then lowest–highest round) and added p99 over direct', connections, rows))
  sections.push(formatBars(`bars (req/s at c${BAR_CONNECTIONS}, added p99 at c${LATENCY_BAR_CONNECTIONS}; failed requests over all runs)`, report.bars, report.ratioRanges))
  return sections.join('\n\n')
}

export interface JsonContext extends RunContext {
  upstream: string
  skipped: Record<string, string>
}

/** The `--json` object; the `targets` and `ratios` members keep the documented shape. */
export function reportJson(report: PassthroughReport, context: JsonContext): Record<string, unknown> {
  return {
    scenario: 'passthrough',
    targets: targetsJson(report.figures, latencyJson),
    ratios: roundedJson(report.ratios),
    ratio_ranges: rangesJson(report.ratioRanges),
    added_p99_ms: roundedJson(report.addedP99Ms),
    bars: barsJson(report.bars),
    skipped: context.skipped,
    settings: settingsJson(context, report.connections),
  }
}
