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

export interface RoundsPlan {
  targets: readonly LoadTarget[]
  connections: readonly number[]
  rounds: number
  durationS: number
  /** Unmeasured seconds per target before round 1 (JIT, pools, caches); 0 skips the warm-up. */
  warmupS: number
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

/** One wrk run; a failure names the target and, when the target died, shows why. */
export async function loadTarget(scope: RunScope, target: Pick<LoadTarget, 'name' | 'url' | 'process'>, wrk: Omit<Parameters<typeof runWrk>[1], 'url' | 'connections' | 'durationS' | 'cpu'>, connections: number, durationS: number, cpu: number | undefined): Promise<WrkResult> {
  try {
    return await runWrk(scope, { ...wrk, url: target.url, connections, durationS, cpu })
  } catch (error) {
    const server = target.process
    let died = ''
    if (server?.hasExited() === true) {
      const info = await server.exited
      died = `\n${target.name} has exited (code ${info.code}, signal ${info.signal}); its last output:\n${tail(server.output())}`
    }
    // A target dying under load is a finding, not a bug in the benchmark: no stack trace.
    throw new BenchError(`loading ${target.name} at c${connections}: ${(error as Error).message}${died}`)
  }
}

function load(scope: RunScope, plan: RoundsPlan, target: LoadTarget, connections: number, durationS: number): Promise<WrkResult> {
  return loadTarget(scope, target, plan.wrk ?? {}, connections, durationS, plan.wrkCpu)
}

export async function runRounds(scope: RunScope, plan: RoundsPlan, progress: (line: string) => void): Promise<Sample[]> {
  const maxConnections = Math.max(...plan.connections)
  if (plan.warmupS > 0) {
    for (const target of plan.targets) {
      progress(`warm-up ${target.name} (${plan.warmupS} s, c${maxConnections})`)
      await load(scope, plan, target, maxConnections, plan.warmupS)
    }
  }
  const samples: Sample[] = []
  for (let round = 1; round <= plan.rounds; round++) {
    for (const connections of plan.connections) {
      for (const target of rotate(plan.targets, round - 1)) {
        const result = await load(scope, plan, target, connections, plan.durationS)
        samples.push({ target: target.name, connections, round, result })
        progress(`round ${round}/${plan.rounds} c${connections} ${target.name}: ${Math.round(result.rps)} req/s, p50 ${result.p50Ms.toFixed(2)} ms, p99 ${result.p99Ms.toFixed(2)} ms`)
      }
    }
  }
  return samples
}
