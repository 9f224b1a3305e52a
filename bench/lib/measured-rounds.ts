// Interleaved rounds as in rounds.ts (every target once per round and connection count, the
// starting target rotating), with wrk settings per target (a header, a Lua script) instead of one
// for all, and, for targets served by a process the run started, the CPU time that process used
// during each run, read from /proc: CPU per request does not move when other processes take cores
// away, req/s does.
import { spawnSync } from 'node:child_process'
import { readFileSync } from 'node:fs'
import { describeResult, loadTarget, runSchedule, type LoadTarget, type RoundsSchedule, type Sample } from './rounds.ts'
import type { RunScope } from './run-scope.ts'
import type { WrkRun } from './wrk.ts'
import type { WrkResult } from './wrk-parse.ts'

export interface WrkTarget extends LoadTarget {
  wrk?: Pick<WrkRun, 'script' | 'headers'>
}

/** A sample, plus the serving process's CPU time during the run when it could be read. */
export interface MeasuredSample extends Sample {
  cpuSeconds?: number
}

export interface MeasuredRoundsPlan extends RoundsSchedule {
  targets: readonly WrkTarget[]
  wrkCpu?: number
}

function load(scope: RunScope, plan: MeasuredRoundsPlan, target: WrkTarget, connections: number, durationS: number): Promise<WrkResult> {
  return loadTarget(scope, target, target.wrk ?? {}, connections, durationS, plan.wrkCpu)
}

let ticksPerSecond: number | undefined

/** User + system CPU seconds of a process (all its threads), or undefined where /proc cannot tell. */
export function cpuSeconds(pid: number): number | undefined {
  try {
    // Fields after the command name, which is in parentheses and may contain spaces.
    const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ')
    ticksPerSecond ??= Number(spawnSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).stdout.trim()) || 100
    return (Number(fields[11]) + Number(fields[12])) / ticksPerSecond
  } catch {
    return undefined
  }
}

async function measured(scope: RunScope, plan: MeasuredRoundsPlan, target: WrkTarget, connections: number, round: number): Promise<MeasuredSample> {
  const pid = target.process?.pid
  const before = pid === undefined ? undefined : cpuSeconds(pid)
  const result = await load(scope, plan, target, connections, plan.durationS)
  const after = pid === undefined ? undefined : cpuSeconds(pid)
  const sample: MeasuredSample = { target: target.name, connections, round, result }
  if (before !== undefined && after !== undefined) sample.cpuSeconds = after - before
  return sample
}

export async function runMeasuredRounds(scope: RunScope, plan: MeasuredRoundsPlan, progress: (line: string) => void): Promise<MeasuredSample[]> {
  return runSchedule(plan, plan.targets, {
    warmUp: (target, connections, durationS) => load(scope, plan, target, connections, durationS),
    async measure(target, connections, round) {
      const sample = await measured(scope, plan, target, connections, round)
      const cpu = sample.cpuSeconds === undefined ? '' : `, ${target.process?.name ?? 'server'} ${(sample.cpuSeconds * 1e6 / sample.result.requests).toFixed(1)} µs CPU/request`
      return { sample, line: describeResult(sample.result) + cpu }
    },
  }, progress)
}
