// Turns the token samples into what people read: medians per grant, algorithm and persistence
// setting, the persistence cost as same-round ratios, WSO2's published figures beside them, and
// the bars of the key manager's goals. Pure functions, testable without running wrk.
import { bar, barsJson, connectionsSection, figureCells, figureHeader, formatBars, formatByConnections, key, latencyJson, medianFigures, rangeRowByConnections, rangesJson, roundedJson, rowByConnections, sameRoundRange, sameRoundRatio, settingsJson, targetsJson, type Bar, type Figures, type RatioRange, type RunContext } from '../../lib/figures.ts'
import type { Sample } from '../../lib/rounds.ts'
import { formatTable, type Cell } from '../../lib/table.ts'
import type { Algorithm, Persistence } from './gateways.ts'

export const GRANTS = ['client_credentials', 'password', 'refresh'] as const
export type GrantName = (typeof GRANTS)[number]

export interface TokenTarget {
  grant: GrantName
  algorithm: Algorithm
  persistence: Persistence
}

export const targetName = (t: TokenTarget): string => `${t.grant}/${t.algorithm}/persist-${t.persistence}`
const ratioName = (grant: GrantName, algorithm: Algorithm): string => `${grant}/${algorithm}/persist-on:off`

/**
 * WSO2 Identity Server as key manager, tokens per second on 4 vCPU, as published (seed 001). Their
 * tokens are RS256 JWTs; "on" is with token persistence. Not measured here: a reference only.
 */
export const WSO2_REFERENCE = {
  source: 'WSO2 key manager, published figures (seed 001), 4 vCPU',
  vcpus: 4,
  tokensPerSecond: {
    client_credentials: { on: 764, off: 973 },
    password: { on: 434, off: 368 },
    refresh: { on: 333, off: 415 },
  } satisfies Record<GrantName, Record<Persistence, number>>,
}

export const BARS = {
  /** Client credentials tokens per second on one core, by algorithm, with persistence on and off. */
  clientCredentialsRps: { RS256: 1000, ES256: 5000 } satisfies Record<Algorithm, number>,
  /** Tokens per second with persistence on divided by off, same grant and algorithm. */
  persistenceRatio: 0.8,
}

export interface TokenReport {
  connections: number[]
  targets: TokenTarget[]
  /** CPU per request is not measured here: `cpuUs` is NaN. */
  figures: Map<string, Figures>
  ratios: Map<string, number>
  /** The lowest and highest same-round ratio behind each median of `ratios`. */
  ratioRanges: Map<string, RatioRange>
  /** The connection count the bars are judged at: the highest measured. */
  barConnections: number
  bars: Bar[]
}

/** Pairs of (grant, algorithm) measured with both persistence settings. */
function persistencePairs(targets: readonly TokenTarget[]): Array<[GrantName, Algorithm]> {
  const pairs: Array<[GrantName, Algorithm]> = []
  for (const t of targets) {
    if (t.persistence !== 'on') continue
    const off = targets.some((o) => o.grant === t.grant && o.algorithm === t.algorithm && o.persistence === 'off')
    if (off) pairs.push([t.grant, t.algorithm])
  }
  return pairs
}

export function buildReport(samples: readonly Sample[], targets: readonly TokenTarget[], connections: readonly number[]): TokenReport {
  const figures = medianFigures(samples, targets.map(targetName), connections)
  const ratios = new Map<string, number>()
  const ratioRanges = new Map<string, RatioRange>()
  const pairs = persistencePairs(targets)
  for (const c of connections) {
    for (const [grant, algorithm] of pairs) {
      const on = targetName({ grant, algorithm, persistence: 'on' })
      const off = targetName({ grant, algorithm, persistence: 'off' })
      const name = key(ratioName(grant, algorithm), c)
      ratios.set(name, sameRoundRatio(samples, on, off, c, (s) => s.result.rps))
      const range = sameRoundRange(samples, on, off, c, (s) => s.result.rps)
      if (range !== undefined) ratioRanges.set(name, range)
    }
  }
  const barConnections = Math.max(...connections)
  const bars: Bar[] = []
  for (const target of targets) {
    if (target.grant !== 'client_credentials') continue
    const name = targetName(target)
    const threshold = BARS.clientCredentialsRps[target.algorithm]
    bars.push(bar(`client credentials ${target.algorithm}, persistence ${target.persistence}: ≥ ${threshold} tokens/s`, key(name, barConnections), figures.get(key(name, barConnections))?.rps ?? Number.NaN, '>=', threshold))
  }
  for (const [grant, algorithm] of pairs) {
    const name = key(ratioName(grant, algorithm), barConnections)
    bars.push(bar(`${grant} ${algorithm}: persistence on ≥ ${BARS.persistenceRatio}× off`, name, ratios.get(name) ?? Number.NaN, '>=', BARS.persistenceRatio))
  }
  const errors = [...figures.values()].reduce((sum, f) => sum + f.errors, 0)
  bars.push(bar('failed token requests = 0', 'errors', figures.size === 0 ? Number.NaN : errors, '<', 1))
  return { connections: [...connections], targets: [...targets], figures, ratios, ratioRanges, barConnections, bars }
}

export function formatReport(report: TokenReport): string {
  const sections = report.connections.map((c) => {
    const rows = report.targets.map((t) => [t.grant, t.algorithm, t.persistence, ...figureCells(report.figures.get(key(targetName(t), c)), false)])
    return connectionsSection(c, formatTable(['grant', 'alg', 'persist', ...figureHeader('tokens/s')], rows))
  })
  const pairs = persistencePairs(report.targets)
  if (pairs.length > 0) {
    const rows = [
      ...pairs.map(([grant, algorithm]) => rowByConnections(`${grant} ${algorithm}`, report.ratios, ratioName(grant, algorithm), report.connections)),
      ...pairs.map(([grant, algorithm]) => rangeRowByConnections(`${grant} ${algorithm}, rounds`, report.ratioRanges, ratioName(grant, algorithm), report.connections)),
    ]
    sections.push(formatByConnections('persistence on ÷ off, tokens/s (medians of same-round pairs, then lowest–highest round)', report.connections, rows))
  }
  sections.push(formatReference(report))
  sections.push(formatBars(`bars (at c${report.barConnections}; failed requests over all runs)`, report.bars, report.ratioRanges))
  return sections.join('\n\n')
}

/** WSO2's figures beside ours: theirs on 4 vCPU (and divided by 4), ours RS256 on one core. */
function formatReference(report: TokenReport): string {
  const c = report.barConnections
  const ours = (grant: GrantName, persistence: Persistence): Cell => report.figures.get(key(targetName({ grant, algorithm: 'RS256', persistence }), c))?.rps ?? Number.NaN
  const perVcpu = (n: number): number => n / WSO2_REFERENCE.vcpus
  const rows: Cell[][] = GRANTS.map((grant) => {
    const w = WSO2_REFERENCE.tokensPerSecond[grant]
    return [grant, w.on, w.off, perVcpu(w.on), perVcpu(w.off), ours(grant, 'on'), ours(grant, 'off')]
  })
  const header = ['tokens/s', 'WSO2 on', 'WSO2 off', 'WSO2 on/vCPU', 'WSO2 off/vCPU', `gatehouse RS256 on`, 'gatehouse RS256 off']
  return `reference: ${WSO2_REFERENCE.source}, not measured here; gatehouse on one core at c${c}\n${formatTable(header, rows)}`
}

export interface JsonContext extends RunContext {
  scryptN: number
}

/** The `--json` object: `targets` and `ratios` in the shape of the other scenarios. */
export function reportJson(report: TokenReport, context: JsonContext): Record<string, unknown> {
  return {
    scenario: 'token',
    targets: targetsJson(report.figures, latencyJson),
    ratios: roundedJson(report.ratios),
    ratio_ranges: rangesJson(report.ratioRanges),
    bars: barsJson(report.bars),
    reference: { source: WSO2_REFERENCE.source, vcpus: WSO2_REFERENCE.vcpus, tokens_per_second: WSO2_REFERENCE.tokensPerSecond },
    settings: settingsJson(context, report.connections, { scrypt: { N: context.scryptN, r: 8, p: 1 } }),
  }
}
