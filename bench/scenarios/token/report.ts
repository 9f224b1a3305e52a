// Turns the token samples into what people read: medians per grant, algorithm and persistence
// setting, the persistence cost as same-round ratios, WSO2's published figures beside them, and
// the bars of the key manager's goals. Pure functions, testable without running wrk.
import type { Sample } from '../../lib/rounds.ts'
import { median, round } from '../../lib/stats.ts'
import { formatTable, type Cell } from '../../lib/table.ts'
import { wrkErrorCount } from '../../lib/wrk-parse.ts'
import type { Algorithm, Persistence } from './gateways.ts'

export const GRANTS = ['client_credentials', 'password', 'refresh'] as const
export type GrantName = (typeof GRANTS)[number]

export interface TokenTarget {
  grant: GrantName
  algorithm: Algorithm
  persistence: Persistence
}

export const targetName = (t: TokenTarget): string => `${t.grant}/${t.algorithm}/persist-${t.persistence}`
export const key = (name: string, connections: number): string => `${name}@c${connections}`
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

export interface Figures {
  rps: number
  p50Ms: number
  p99Ms: number
  /** Failed requests over all rounds (non-2xx and socket errors). */
  errors: number
}

export interface Bar {
  label: string
  key: string
  value: number
  op: '>=' | '<'
  threshold: number
  status: 'PASS' | 'FAIL' | 'n/a'
}

export interface TokenReport {
  connections: number[]
  targets: TokenTarget[]
  figures: Map<string, Figures>
  ratios: Map<string, number>
  /** The connection count the bars are judged at: the highest measured. */
  barConnections: number
  bars: Bar[]
}

function samplesOf(samples: readonly Sample[], name: string, connections: number): Sample[] {
  return samples.filter((s) => s.target === name && s.connections === connections)
}

/** Median of same-round ratios a/b: both figures of a pair are seconds apart, so drift cancels. */
function pairedRatio(samples: readonly Sample[], a: string, b: string, connections: number): number {
  const byRound = new Map(samplesOf(samples, b, connections).map((s) => [s.round, s.result.rps]))
  return median(samplesOf(samples, a, connections).flatMap((s) => {
    const other = byRound.get(s.round)
    return other === undefined || other === 0 ? [] : [s.result.rps / other]
  }))
}

function bar(label: string, barKey: string, value: number, op: Bar['op'], threshold: number): Bar {
  const status = !Number.isFinite(value) ? 'n/a' : (op === '>=' ? value >= threshold : value < threshold) ? 'PASS' : 'FAIL'
  return { label, key: barKey, value, op, threshold, status }
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
  const figures = new Map<string, Figures>()
  for (const c of connections) {
    for (const target of targets) {
      const own = samplesOf(samples, targetName(target), c)
      if (own.length === 0) continue
      figures.set(key(targetName(target), c), {
        rps: median(own.map((s) => s.result.rps)),
        p50Ms: median(own.map((s) => s.result.p50Ms)),
        p99Ms: median(own.map((s) => s.result.p99Ms)),
        errors: own.reduce((sum, s) => sum + wrkErrorCount(s.result), 0),
      })
    }
  }
  const ratios = new Map<string, number>()
  const pairs = persistencePairs(targets)
  for (const c of connections) {
    for (const [grant, algorithm] of pairs) {
      const on = targetName({ grant, algorithm, persistence: 'on' })
      const off = targetName({ grant, algorithm, persistence: 'off' })
      ratios.set(key(ratioName(grant, algorithm), c), pairedRatio(samples, on, off, c))
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
  return { connections: [...connections], targets: [...targets], figures, ratios, barConnections, bars }
}

export function formatReport(report: TokenReport): string {
  const sections: string[] = []
  for (const c of report.connections) {
    const rows: Cell[][] = report.targets.map((t) => {
      const f = report.figures.get(key(targetName(t), c))
      const head = [t.grant, t.algorithm, t.persistence]
      return f === undefined ? [...head, '-', '-', '-', '-'] : [...head, f.rps, f.p50Ms, f.p99Ms, String(f.errors)]
    })
    sections.push(`${c} connections\n${formatTable(['grant', 'alg', 'persist', 'tokens/s', 'p50 ms', 'p99 ms', 'errors'], rows)}`)
  }
  const pairs = persistencePairs(report.targets)
  if (pairs.length > 0) {
    const rows: Cell[][] = pairs.map(([grant, algorithm]) => [`${grant} ${algorithm}`, ...report.connections.map((c) => report.ratios.get(key(ratioName(grant, algorithm), c)) ?? Number.NaN)])
    sections.push(`persistence on ÷ off, tokens/s (medians of same-round pairs)\n${formatTable(['', ...report.connections.map((c) => `c${c}`)], rows)}`)
  }
  sections.push(formatReference(report))
  const barRows: Cell[][] = report.bars.map((b) => [b.label, Number.isFinite(b.value) ? round(b.value, 3).toString() : '-', b.status])
  sections.push(`bars (at c${report.barConnections}; failed requests over all runs)\n${formatTable(['', 'value', ''], barRows)}`)
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

export interface JsonContext {
  pinning: { proxyCpu: number; loadCpu: number } | null
  durationS: number
  rounds: number
  warmupS: number
  loadAvg1m: number
  scryptN: number
}

/** The `--json` object: `targets` and `ratios` in the shape of the other scenarios. */
export function reportJson(report: TokenReport, context: JsonContext): Record<string, unknown> {
  const targets: Record<string, unknown> = {}
  for (const [name, f] of report.figures) targets[name] = { rps: round(f.rps, 0), p50_ms: round(f.p50Ms, 3), p99_ms: round(f.p99Ms, 3), errors: f.errors }
  const ratios: Record<string, number> = {}
  for (const [name, value] of report.ratios) ratios[name] = round(value, 3)
  return {
    scenario: 'token',
    targets,
    ratios,
    bars: report.bars.map((b) => ({ name: b.key, value: Number.isFinite(b.value) ? round(b.value, 3) : null, op: b.op, threshold: b.threshold, status: b.status })),
    reference: { source: WSO2_REFERENCE.source, vcpus: WSO2_REFERENCE.vcpus, tokens_per_second: WSO2_REFERENCE.tokensPerSecond },
    settings: {
      pinning: context.pinning,
      duration_s: context.durationS,
      rounds: context.rounds,
      warmup_s: context.warmupS,
      load_avg_1m: round(context.loadAvg1m, 2),
      connections: report.connections,
      scrypt: { N: context.scryptN, r: 8, p: 1 },
    },
  }
}
