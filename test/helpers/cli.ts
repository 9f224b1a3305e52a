import { spawn, spawnSync, type ChildProcess } from 'node:child_process'
import fs from 'node:fs/promises'
import os from 'node:os'
import path from 'node:path'
import { freePort, waitForPort } from './ports.ts'

export const BIN = new URL('../../bin/gatehouse.js', import.meta.url).pathname
const REPO_ROOT = new URL('../../', import.meta.url).pathname

export interface CliResult {
  code: number | null
  stdout: string
  stderr: string
}

/** Runs `gatehouse <args>` to completion with the Node running the tests; killed after `timeoutMs`. */
export function runCli(args: string[], options: { cwd?: string; env?: NodeJS.ProcessEnv; timeoutMs?: number } = {}): Promise<CliResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [BIN, ...args], { cwd: options.cwd ?? REPO_ROOT, env: options.env ?? process.env, stdio: ['ignore', 'pipe', 'pipe'] })
    let stdout = ''
    let stderr = ''
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk))
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk))
    const timer = setTimeout(() => child.kill('SIGKILL'), options.timeoutMs ?? 15_000)
    child.on('error', reject)
    child.on('close', (code) => {
      clearTimeout(timer)
      resolve({ code, stdout, stderr })
    })
  })
}

/** A temporary directory for config files, removed by `remove()`. */
export async function tempDir(prefix: string): Promise<{ dir: string; file(name: string): string; remove(): Promise<void> }> {
  const dir = await fs.mkdtemp(path.join(os.tmpdir(), prefix))
  return { dir, file: (name) => path.join(dir, name), remove: () => fs.rm(dir, { recursive: true, force: true }) }
}

export interface CliGateway {
  child: ChildProcess
  port: number
  adminPort: number
  configFile: string
  dir: string
  /** Everything the process wrote so far. */
  output(): { stdout: string; stderr: string }
  /** Replaces the config file; `body` is everything after the generated listeners and admin lines. */
  rewrite(body: string): Promise<void>
  /** Resolves with the exit code once the process has exited. */
  exited: Promise<number | null>
  /** SIGKILLs the process and its children if still running and removes the directory; safe to call more than once. */
  cleanup(): Promise<void>
}

export interface CliGatewayOptions {
  /** Lines placed before `listeners:` (e.g. `workers: 2`). */
  head?: string
  /** Extra admin settings inside `admin: { … }` (e.g. `token: …`). */
  admin?: string
  readyTimeoutMs?: number
}

/**
 * Starts `gatehouse start --config F` as a child process with a listener and an admin listener on
 * free ports, and waits until both accept connections. Access log and info logs are off so the
 * output holds only what a test looks for.
 */
export async function startCliGateway(body: string, options: CliGatewayOptions = {}): Promise<CliGateway> {
  const temp = await tempDir('gatehouse-e2e-')
  const port = await freePort()
  const adminPort = await freePort()
  const configFile = temp.file('gatehouse.yaml')
  const render = (next: string): string => [
    options.head ?? '',
    `listeners: [{ name: public, protocol: http, host: 127.0.0.1, port: ${port} }]`,
    `admin: { host: 127.0.0.1, port: ${adminPort}${options.admin === undefined ? '' : `, ${options.admin}`} }`,
    'observability: { accessLog: { enabled: false }, logLevel: warn }',
    'shutdown: { drainTimeoutMs: 2000 }',
    next,
  ].join('\n')
  await fs.writeFile(configFile, render(body))
  const child = spawn(process.execPath, [BIN, 'start', '--config', configFile], { cwd: REPO_ROOT, stdio: ['ignore', 'pipe', 'pipe'] })
  let stdout = ''
  let stderr = ''
  child.stdout?.on('data', (chunk: Buffer) => (stdout += chunk))
  child.stderr?.on('data', (chunk: Buffer) => (stderr += chunk))
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)))
  const cleanup = async (): Promise<void> => {
    if (child.exitCode === null && child.signalCode === null) {
      // Cluster workers first: a SIGKILLed primary cannot stop them any more.
      for (const worker of child.pid === undefined ? [] : childPids(child.pid)) killQuietly(worker)
      child.kill('SIGKILL')
      await exited
    }
    await temp.remove()
  }
  try {
    const timeout = options.readyTimeoutMs ?? 10_000
    await Promise.race([
      Promise.all([waitForPort(port, timeout), waitForPort(adminPort, timeout)]),
      exited.then((code) => {
        throw new Error(`gatehouse start exited with ${code} before listening:\n${stderr}${stdout}`)
      }),
    ])
  } catch (error) {
    await cleanup()
    throw error
  }
  return {
    child,
    port,
    adminPort,
    configFile,
    dir: temp.dir,
    output: () => ({ stdout, stderr }),
    rewrite: (next) => fs.writeFile(configFile, render(next)),
    exited,
    cleanup,
  }
}

/** Polls `check` until it returns true or `timeoutMs` passes; returns the last outcome. */
export async function eventually(check: () => Promise<boolean>, timeoutMs = 5000, intervalMs = 50): Promise<boolean> {
  const deadline = Date.now() + timeoutMs
  for (;;) {
    if (await check().catch(() => false)) return true
    if (Date.now() >= deadline) return false
    await new Promise((resolve) => setTimeout(resolve, intervalMs))
  }
}

/** True while a process with this pid exists. */
export function isRunning(pid: number): boolean {
  try {
    process.kill(pid, 0)
    return true
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM'
  }
}

/** Pids of the direct children of a process (Linux `ps`). */
export function childPids(pid: number): number[] {
  const listed = spawnSync('ps', ['-o', 'pid=', '--ppid', String(pid)], { encoding: 'utf8' })
  return listed.stdout.split('\n').map((line) => Number(line.trim())).filter((child) => child > 0)
}

/** SIGKILL, ignoring a process that is already gone. */
export function killQuietly(pid: number): void {
  try {
    process.kill(pid, 'SIGKILL')
  } catch {
    // already exited
  }
}
