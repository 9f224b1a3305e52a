// CPU pinning. The proxy under test gets one core to itself and the load generator the other, so
// the proxy's figures are per core and not blurred by wrk competing for the same CPU.
import { spawnSync } from 'node:child_process'

export interface Pinning {
  /** Core for the proxy under test. */
  proxyCpu: number
  /** Core for wrk and the upstream. */
  loadCpu: number
}

/** Parses taskset's affinity list (`0,1`, `0-3`, `0-1,4`) into core numbers. */
export function parseCpuList(list: string): number[] {
  const cpus: number[] = []
  for (const part of list.split(',').map((p) => p.trim()).filter((p) => /^\d+(-\d+)?$/.test(p))) {
    const [from, to = from] = part.split('-').map(Number)
    for (let cpu = from; cpu <= to; cpu++) cpus.push(cpu)
  }
  return cpus
}

/**
 * Chooses the first two cores this process may run on. Returns a reason instead when pinning is
 * impossible (no taskset, fewer than two cores), and the run goes on unpinned.
 */
export function detectPinning(): Pinning | { reason: string } {
  const probe = spawnSync('taskset', ['-cp', String(process.pid)], { encoding: 'utf8' })
  if (probe.error !== undefined || probe.status !== 0) return { reason: 'taskset is not available (util-linux)' }
  const list = /:\s*([\d,\- ]+)\s*$/.exec(probe.stdout)
  const cpus = list === null ? [] : parseCpuList(list[1])
  if (cpus.length < 2) return { reason: `only ${cpus.length} core(s) available to this process` }
  return { proxyCpu: cpus[0], loadCpu: cpus[1] }
}

/** The argv that runs `command` on `cpu`, or unchanged when `cpu` is undefined. */
export function pinnedArgv(cpu: number | undefined, command: string, args: readonly string[]): [string, string[]] {
  return cpu === undefined ? [command, [...args]] : ['taskset', ['-c', String(cpu), command, ...args]]
}
