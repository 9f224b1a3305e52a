// Interleaved measurement. The machine's absolute speed drifts by tens of percent over minutes, so
// targets are never measured in blocks: every round runs each target once per connection count,
// back to back, and the starting target rotates from round to round so none is always first
// after a pause. Figures are later reduced to medians over rounds.
import { BenchError } from './errors.ts'
import type { ManagedProcess, RunScope } from './run-scope.ts'
import { tail } from './wait.ts'
import { runWrk, type WrkRun } from './wrk.ts'
import type { WrkResult } from './wrk-parse.ts'

export interface LoadTarget {
  name: string
  /** Full URL wrk requests. */
  url: string
  /** The process serving it, if the run started one: its output explains a crash mid-run. */
  process?: ManagedProcess
}

export interface Sample {
  target: string
  connections: number
  round: number
  result: WrkResult
}

export interface RoundsPlan extends RoundsSchedule {
  targets: readonly LoadTarget[]
  /** Core wrk runs on. */
  wrkCpu?: number
  /** Extra wrk settings (script, headers, timeout) for every run. */
  wrk?: Pick<WrkRun, 'script' | 'headers' | 'timeoutS'>
}

/** `rotate([a, b, c], 1)` → `[b, c, a]`. */
export function rotate<T>(items: readonly T[], by: number): T[] {
  if (items.length === 0) return []
  const shift = ((by % items.length) + items.length) % items.length
  return [...items.slice(shift), ...items.slice(0, shift)]
}

/** The schedule every scenario measures on: connection counts, rounds, seconds per run and of warm-up. */
export interface RoundsSchedule {
  connections: readonly number[]
  rounds: number
  durationS: number
  /** Unmeasured seconds per target before round 1 (JIT, pools, caches); 0 skips the warm-up. */
  warmupS: number
}

/** What a scenario does for one run of the schedule. */
export interface RoundsSteps<T extends { name: string }, S> {
  /** One unmeasured load of `target`. */
  warmUp(target: T, connections: number, durationS: number): Promise<unknown>
  /** One measured load of `target`, and the progress line that reports it. */
  measure(target: T, connections: number, round: number): Promise<{ sample: S; line: string }>
}

/**
 * Runs the schedule: a warm-up per target at the highest connection count, then `rounds` rounds
 * in which every target runs once per connection count, the starting target rotating.
 */
export async function runSchedule<T extends { name: string }, S>(schedule: RoundsSchedule, targets: readonly T[], steps: RoundsSteps<T, S>, progress: (line: string) => void): Promise<S[]> {
  const maxConnections = Math.max(...schedule.connections)
  if (schedule.warmupS > 0) {
    for (const target of targets) {
      progress(`warm-up ${target.name} (${schedule.warmupS} s, c${maxConnections})`)
      await steps.warmUp(target, maxConnections, schedule.warmupS)
    }
  }
  const samples: S[] = []
  for (let round = 1; round <= schedule.rounds; round++) {
    for (const connections of schedule.connections) {
      for (const target of rotate(targets, round - 1)) {
        const { sample, line } = await steps.measure(target, connections, round)
        samples.push(sample)
        progress(`round ${round}/${schedule.rounds} c${connections} ${target.name}: ${line}`)
      }
    }
  }
  return samples
}

/** `1234 req/s, p50 0.41 ms, p99 1.20 ms` (`unit` for throughputs that are not requests). */
export function describeResult(result: WrkResult, unit = 'req/s'): string {
  return `${Math.round(result.rps)} ${unit}, p50 ${result.p50Ms.toFixed(2)} ms, p99 ${result.p99Ms.toFixed(2)} ms`
}

/**
 * The error for a load of `target` that failed: it names the target and, when the process
 * serving it died, shows why. A target dying under load is a finding, not a bug in the
 * benchmark: a BenchError, printed without a stack trace.
 */
export async function loadFailure(target: Pick<LoadTarget, 'name' | 'process'>, connections: number, error: unknown): Promise<BenchError> {
  const server = target.process
  let died = ''
  if (server?.hasExited() === true) {
    const info = await server.exited
    died = `\n${server.name} (serving ${target.name}) has exited (code ${info.code}, signal ${info.signal}); its last output:\n${tail(server.output())}`
  }
  return new BenchError(`loading ${target.name} at c${connections}: ${(error as Error).message}${died}`)
}

/** One wrk run; a failure is a loadFailure. */
export async function loadTarget(scope: RunScope, target: Pick<LoadTarget, 'name' | 'url' | 'process'>, wrk: Omit<Parameters<typeof runWrk>[1], 'url' | 'connections' | 'durationS' | 'cpu'>, connections: number, durationS: number, cpu: number | undefined): Promise<WrkResult> {
  try {
    return await runWrk(scope, { ...wrk, url: target.url, connections, durationS, cpu })
  } catch (error) {
    throw await loadFailure(target, connections, error)
  }
}

export async function runRounds(scope: RunScope, plan: RoundsPlan, progress: (line: string) => void): Promise<Sample[]> {
  const load = (target: LoadTarget, connections: number, durationS: number): Promise<WrkResult> => loadTarget(scope, target, plan.wrk ?? {}, connections, durationS, plan.wrkCpu)
  return runSchedule(plan, plan.targets, {
    warmUp: load,
    async measure(target, connections, round) {
      const result = await load(target, connections, plan.durationS)
      return { sample: { target: target.name, connections, round, result }, line: describeResult(result) }
    },
  }, progress)
}
