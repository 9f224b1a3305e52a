// The frame every scenario runs in. Before: its flags (a mistake stops with exit code 2 before
// anything starts), wrk, a warning when other work loads the machine, and the cores to pin to.
// During: a run scope that ends every process the scenario started, also on Ctrl-C. After: the
// title, the tables and notes on stdout, the `--json` line, and with `--check` exit code 1 when a
// bar was not passed. A scenario supplies its own flags, what it measures and how it reports it.
import { loadavg } from 'node:os'
import type { ParseArgsOptionsConfig } from 'node:util'
import type { BenchIo, Scenario } from '../scenarios/scenario.ts'
import { startBenchUpstream, type BenchUpstream, type UpstreamChoice } from './bench-upstream.ts'
import { detectPinning, type Pinning } from './cpus.ts'
import type { Bar, RunContext } from './figures.ts'
import { printJsonLine } from './json-line.ts'
import { choiceFlag, COMMON_OPTIONS, integerListFlag, numberFlag, parseScenarioArgs, type ScenarioFlags } from './options.ts'
import { RunScope } from './run-scope.ts'
import { ensureWrk } from './wrk.ts'

export type Log = (line: string) => void

/** What a scenario measures with. */
export interface ScenarioRun {
  scope: RunScope
  /** Undefined when the run cannot pin (the reason was logged). */
  pinning: Pinning | undefined
  connections: number[]
  rounds: number
  durationS: number
  warmupS: number
  /** For the `--json` settings; the scenario adds its upstream. */
  context: RunContext
  /** Progress and warnings, to stderr. */
  log: Log
}

/** What a scenario prints once it has measured. */
export interface ScenarioOutcome {
  /** What was measured and where, before `; <rounds> round(s) × <duration> s, medians`. */
  title: string
  /** The tables. */
  report: string
  /** Lines after the tables: skipped targets, warnings. */
  notes: string[]
  bars: readonly Bar[]
  /** The `--json` object; built only when asked for. */
  json(): Record<string, unknown>
}

export interface ScenarioSpec<O extends ParseArgsOptionsConfig, S> {
  name: string
  summary: string
  help: string
  /** The scenario's own flags, besides COMMON_OPTIONS. */
  options: O
  /** `--connections` when not given. */
  defaultConnections: number[]
  /** Reads the scenario's own flags; a mistake throws before anything starts. */
  settings(flags: ScenarioFlags<typeof COMMON_OPTIONS & O>, log: Log): S
  /** Starts what the scenario loads (in run.scope), measures it and says what to print. */
  measure(run: ScenarioRun, settings: S): Promise<ScenarioOutcome>
}

export async function runScenario<O extends ParseArgsOptionsConfig, S>(spec: ScenarioSpec<O, S>, argv: string[], io: BenchIo): Promise<number> {
  const flags = parseScenarioArgs(spec.name, argv, { ...COMMON_OPTIONS, ...spec.options })
  // The values of the common flags, by their type: with the scenario's options unknown here, the compiler cannot tell.
  const common = flags as ScenarioFlags<typeof COMMON_OPTIONS>
  if (common.help === true) {
    io.out(spec.help + '\n')
    return 0
  }
  const durationS = numberFlag('duration', common.duration, 10, { min: 1, integer: true })
  const rounds = numberFlag('rounds', common.rounds, 3, { min: 1, integer: true })
  const warmupS = numberFlag('warmup', common.warmup, 2, { min: 0, integer: true })
  const connections = integerListFlag('connections', common.connections, spec.defaultConnections)
  const log: Log = (line) => io.err(line + '\n')
  const settings = spec.settings(flags, log)

  ensureWrk(log)
  const [loadAvg] = loadavg()
  // Anything else using the cores while we measure shifts the figures; say so up front.
  if (loadAvg > 0.5) log(`warning: load average is ${loadAvg.toFixed(2)} before the run; other processes compete for the cores`)
  const detected = detectPinning()
  const pinning: Pinning | undefined = 'reason' in detected ? undefined : detected
  if ('reason' in detected) log(`not pinning processes to cores: ${detected.reason}; figures will be noisier`)

  const scope = new RunScope()
  const restoreSignals = scope.handleInterrupts(log)
  try {
    const context: RunContext = { pinning: pinning ?? null, durationS, rounds, warmupS, loadAvg1m: loadAvg }
    const outcome = await spec.measure({ scope, pinning, connections, rounds, durationS, warmupS, context, log }, settings)
    io.out(`${outcome.title}; ${rounds} round(s) × ${durationS} s, medians\n\n`)
    io.out(outcome.report + '\n')
    for (const note of outcome.notes) io.out(note + '\n')
    if (common.json === true) printJsonLine(outcome.json(), io.out)
    const missed = outcome.bars.filter((b) => b.status !== 'PASS')
    if (common.check !== true || missed.length === 0) return 0
    log(`--check: ${missed.length} bar(s) not passed: ${missed.map((b) => `${b.key} ${b.status}`).join(', ')}`)
    return 1
  } finally {
    await scope.close()
    restoreSignals()
  }
}

/** The scenario `gatehouse bench <spec.name>` runs. */
export function defineScenario<O extends ParseArgsOptionsConfig, S>(spec: ScenarioSpec<O, S>): Scenario {
  return { name: spec.name, summary: spec.summary, help: spec.help, run: (argv, io) => runScenario(spec, argv, io) }
}

/** `gateway on core 0, wrk + upstream on core 1`, or `unpinned`. */
export function coresText(pinning: Pinning | undefined, server: string, load: string): string {
  return pinning === undefined ? 'unpinned' : `${server} on core ${pinning.proxyCpu}, ${load} on core ${pinning.loadCpu}`
}

export const upstreamFlag = (value: string | undefined): UpstreamChoice => choiceFlag<UpstreamChoice>('upstream', value, ['auto', 'nginx', 'node'], 'auto')

/** The bench upstream on the load core (which wrk shares), logged. */
export async function startUpstream(run: ScenarioRun, choice: UpstreamChoice): Promise<BenchUpstream> {
  const upstream = await startBenchUpstream(run.scope, { choice, cpu: run.pinning?.loadCpu })
  const where = run.pinning === undefined ? '' : ` (core ${run.pinning.loadCpu}, shared with wrk)`
  run.log(`upstream: ${upstream.kind === 'nginx' ? 'nginx return 200' : 'node:http'} on ${upstream.origin}${where}`)
  return upstream
}

/**
 * `skipped <target>: <the first line of the reason>`, one note per skipped target. With
 * `pointToStderr`, a reason of several lines (a process's output, logged to stderr when the target
 * was skipped) ends in a pointer there, in place of the colon that introduced the output.
 */
export function skippedNotes(skipped: Record<string, string>, options: { pointToStderr?: boolean } = {}): string[] {
  return Object.entries(skipped).map(([name, reason]) => {
    const [first, ...details] = reason.split('\n')
    if (options.pointToStderr !== true) return `skipped ${name}: ${first}`
    return `skipped ${name}: ${first.replace(/:$/, '')}${details.length > 0 ? ' (its output is on stderr above)' : ''}`
  })
}
