// Running wrk: making sure it is installed, building its command line, and reading its output.
import { spawnSync } from 'node:child_process'
import { BenchError } from './errors.ts'
import type { RunScope } from './run-scope.ts'
import { tail } from './wait.ts'
import { parseWrkOutput, type WrkResult } from './wrk-parse.ts'

function wrkInstalled(): boolean {
  // wrk has no --version; `-v` prints its banner (and exits 1). ENOENT means it is missing.
  const probe = spawnSync('wrk', ['-v'], { encoding: 'utf8' })
  return probe.error === undefined && /wrk/i.test(`${probe.stdout}${probe.stderr}`)
}

function aptGet(args: string[], log: (line: string) => void): boolean {
  log(`$ apt-get ${args.join(' ')}`)
  const result = spawnSync('apt-get', args, { stdio: ['ignore', 'ignore', 'pipe'], encoding: 'utf8', env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' } })
  if (result.status !== 0) log(`apt-get ${args[0]} failed: ${(result.stderr ?? result.error?.message ?? '').trim().split('\n').slice(-3).join(' / ')}`)
  return result.status === 0
}

/**
 * Makes sure wrk is on PATH. As root on a Debian-like system it installs the package (refreshing
 * the package index only if the first attempt fails); otherwise it stops with instructions.
 */
export function ensureWrk(log: (line: string) => void): void {
  if (wrkInstalled()) return
  const isRoot = process.getuid?.() === 0
  if (isRoot && spawnSync('apt-get', ['--version']).status === 0) {
    log('wrk is not installed; installing it')
    const installed = aptGet(['install', '-y', 'wrk'], log) || (aptGet(['update'], log) && aptGet(['install', '-y', 'wrk'], log))
    if (installed && wrkInstalled()) return
  }
  throw new BenchError(
    'wrk (the HTTP load generator) is not installed. Install it with your package manager, e.g. ' +
      '`sudo apt-get install wrk`, or build it from https://github.com/wg/wrk, then run the benchmark again.',
  )
}

export interface WrkRun {
  url: string
  connections: number
  durationS: number
  /** wrk threads; one thread keeps wrk on the single core it is pinned to. */
  threads?: number
  /** Core wrk runs on. */
  cpu?: number
  /** Seconds before wrk counts a request as timed out (wrk's default is 2). */
  timeoutS?: number
  /** Lua script (`-s`), e.g. to send POST bodies. */
  script?: string
  /** Extra request headers, `Name: value`. */
  headers?: string[]
}

export function wrkArgs(run: WrkRun): string[] {
  const args = [`-t${run.threads ?? 1}`, `-c${run.connections}`, `-d${run.durationS}s`, '--latency']
  if (run.timeoutS !== undefined) args.push('--timeout', `${run.timeoutS}s`)
  if (run.script !== undefined) args.push('-s', run.script)
  for (const header of run.headers ?? []) args.push('-H', header)
  args.push(run.url)
  return args
}

/** Runs wrk once inside `scope` (so Ctrl-C stops it) and returns the parsed figures. */
export async function runWrk(scope: RunScope, run: WrkRun): Promise<WrkResult> {
  const wrk = scope.spawn(`wrk -c${run.connections} ${run.url}`, 'wrk', wrkArgs(run), { cpu: run.cpu })
  const info = await wrk.exited
  if (info.code !== 0) throw new Error(`wrk against ${run.url} failed (code ${info.code}, signal ${info.signal}):\n${tail(wrk.output())}`)
  return parseWrkOutput(wrk.output())
}
