// The openapi scenario's figures: medians per target, the req/s of each validated API relative to
// the same requests through the API without validation (medians of same-round ratios, so drift
// cancels), the same comparison made with the gateway's CPU per request, what validation adds in
// CPU µs per request (medians of same-round differences), and the bars. Pure functions, tested
// without running wrk.
import { bar, barsJson, cpuUsOf, errorTotal, figuresJson, formatBars, formatFigures, key, medianFigures, pairRatios, ratiosJson, sameRoundMedian, type Bar, type Figures } from '../../lib/figures.ts'
import type { MeasuredSample } from '../../lib/measured-rounds.ts'
import { round } from '../../lib/stats.ts'
import { formatTable, type Cell } from '../../lib/table.ts'

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
  /** `a/b`: b's CPU per request over a's, i.e. a's req/s relative to b's on a core of its own. */
  cpuRatios: Map<string, number>
  /** `get@c64`, `post@c64`: the gateway's CPU µs per request with validation minus without (median of same-round differences). */
  validationCpuUs: Map<string, number>
  bars: Bar[]
}

const pairName = ([a, b]: readonly [string, string]): string => `${a}/${b}`
/** `get-on/get-off` → `get`. */
const methodOf = ([a]: readonly [string, string]): string => a.replace(/-on$/, '')

export function buildReport(samples: readonly MeasuredSample[], targets: readonly string[], connections: readonly number[]): OpenApiReport {
  const figures = medianFigures(samples, targets, connections)
  const ratios = new Map<string, number>()
  const cpuRatios = new Map<string, number>()
  const validationCpuUs = new Map<string, number>()
  for (const c of connections) {
    for (const pair of RATIO_PAIRS) {
      const ratio = pairRatios(samples, pair[0], pair[1], c)
      ratios.set(key(pairName(pair), c), ratio.rps)
      cpuRatios.set(key(pairName(pair), c), ratio.cpu)
      validationCpuUs.set(key(methodOf(pair), c), sameRoundMedian(samples, pair[0], pair[1], c, (on, off) => cpuUsOf(on) - cpuUsOf(off)))
    }
  }
  const at = (pair: string): number => ratios.get(key(pair, BAR_CONNECTIONS)) ?? Number.NaN
  const errors = errorTotal(figures, GATEWAY_TARGETS.filter((target) => targets.includes(target)), connections)
  const bars = [
    ...RATIO_PAIRS.map((pair) => bar(`${pair[0]} ≥ ${MIN_RATIO}× ${pair[1]} req/s`, key(pairName(pair), BAR_CONNECTIONS), at(pairName(pair)), '>=', MIN_RATIO)),
    bar('gateway failed requests = 0', 'gateway/errors', errors, '<', 1),
  ]
  return { connections: [...connections], targets: [...targets], figures, ratios, cpuRatios, validationCpuUs, bars }
}

export function formatReport(report: OpenApiReport): string {
  const sections = report.connections.map((c) => `${c} connections\n${formatFigures(report.figures, report.targets, c, 'gateway CPU µs/req')}`)
  const columns = report.connections.map((c) => `c${c}`)
  const at = (map: ReadonlyMap<string, number>, name: string): Cell[] => report.connections.map((c) => map.get(key(name, c)) ?? Number.NaN)
  const rows: Cell[][] = [
    ...RATIO_PAIRS.map((pair) => [pairName(pair), ...at(report.ratios, pairName(pair))]),
    ...RATIO_PAIRS.map((pair) => [`${pairName(pair)} by CPU`, ...at(report.cpuRatios, pairName(pair))]),
    ...RATIO_PAIRS.map((pair) => [`${methodOf(pair)}: validation CPU µs/req`, ...at(report.validationCpuUs, methodOf(pair))]),
  ]
  sections.push(`ratios of req/s, and of CPU per request inverted (medians of same-round pairs)\n${formatTable(['', ...columns], rows)}`)
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
  /** Query string of the GET rows. */
  getQuery: string
  /** Size of the POST rows' body. */
  bodyBytes: number
  skipped: Record<string, string>
}

/** The `--json` object, in the security scenario's shape. */
export function reportJson(report: OpenApiReport, context: JsonContext): Record<string, unknown> {
  const targets: Record<string, unknown> = {}
  for (const [name, f] of report.figures) targets[name] = figuresJson(f)
  const validationCpu: Record<string, number> = {}
  for (const [name, value] of report.validationCpuUs) validationCpu[name] = round(value, 1)
  return {
    scenario: 'openapi',
    targets,
    ratios: ratiosJson(report.ratios),
    cpu_ratios: ratiosJson(report.cpuRatios),
    validation_cpu_us_per_request: validationCpu,
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
      get_query: context.getQuery,
      body_bytes: context.bodyBytes,
    },
  }
}
