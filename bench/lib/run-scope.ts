// Everything a benchmark run starts (child processes, temporary directories) belongs to one
// RunScope, which takes it all down again on normal exit, on error and on Ctrl-C. Each child gets
// its own process group so that stopping it also stops what it forked (nginx's workers, a
// gateway's cluster workers): no orphan keeps a core busy after the run.
import { spawn } from 'node:child_process'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { pinnedArgv } from './cpus.ts'

export interface ExitInfo {
  code: number | null
  signal: NodeJS.Signals | null
}

export interface ManagedProcess {
  readonly name: string
  readonly pid: number
  /** Settles when the process has exited (it never rejects). */
  readonly exited: Promise<ExitInfo>
  hasExited(): boolean
  /** stdout and stderr interleaved, the most recent `outputLimit` characters. */
  output(): string
  /** SIGTERM to the process group, SIGKILL after `graceMs` if it is still there. */
  stop(graceMs?: number): Promise<void>
}

export interface SpawnOptions {
  /** Core to pin the process to with taskset; undefined: not pinned. */
  cpu?: number
  cwd?: string
  env?: NodeJS.ProcessEnv
  /** Characters of output kept for error messages and parsing; default 64 KiB. */
  outputLimit?: number
}

const STOP_GRACE_MS = 5000

function signalGroup(pid: number, signal: NodeJS.Signals): void {
  try {
    process.kill(-pid, signal)
  } catch {
    // ESRCH: the group is already gone, which is what we wanted.
  }
}

export class RunScope {
  #processes = new Set<ManagedProcess>()
  #tempDirs: string[] = []
  #children = new Set<RunScope>()
  #closing: Promise<void> | undefined

  /**
   * A scope inside this one, for something that may fail halfway (a target that starts but then
   * answers wrongly): closing it stops only what it started; closing the parent closes it too.
   */
  subscope(): RunScope {
    const child = new RunScope()
    this.#children.add(child)
    return child
  }

  spawn(name: string, command: string, args: readonly string[], options: SpawnOptions = {}): ManagedProcess {
    if (this.#closing !== undefined) throw new Error(`cannot start ${name}: the run is shutting down`)
    const [file, argv] = pinnedArgv(options.cpu, command, args)
    const child = spawn(file, argv, { cwd: options.cwd, env: options.env ?? process.env, detached: true, stdio: ['ignore', 'pipe', 'pipe'] })
    const limit = options.outputLimit ?? 65_536
    let output = ''
    const collect = (chunk: Buffer): void => {
      output += chunk.toString('utf8')
      if (output.length > limit) output = output.slice(output.length - limit)
    }
    child.stdout.on('data', collect)
    child.stderr.on('data', collect)
    let exitedFlag = false
    const exited = new Promise<ExitInfo>((resolve) => {
      child.once('error', (error) => {
        collect(Buffer.from(`${name}: ${error.message}\n`))
        exitedFlag = true
        resolve({ code: -1, signal: null })
      })
      // 'close' rather than 'exit': by then all output has been read.
      child.once('close', (code, signal) => {
        exitedFlag = true
        resolve({ code, signal })
      })
    })
    const pid = child.pid ?? -1
    const managed: ManagedProcess = {
      name,
      pid,
      exited,
      hasExited: () => exitedFlag,
      output: () => output,
      stop: async (graceMs = STOP_GRACE_MS) => {
        if (exitedFlag || pid < 0) return
        signalGroup(pid, 'SIGTERM')
        const timer = setTimeout(() => signalGroup(pid, 'SIGKILL'), graceMs)
        await exited
        clearTimeout(timer)
        // The leader may exit before the processes it forked; make sure none stays behind.
        signalGroup(pid, 'SIGKILL')
      },
    }
    this.#processes.add(managed)
    void exited.then(() => this.#processes.delete(managed))
    return managed
  }

  /** A fresh directory under the system temp dir, removed when the scope closes. */
  tempDir(prefix: string): string {
    const dir = mkdtempSync(join(tmpdir(), `${prefix}-`))
    this.#tempDirs.push(dir)
    return dir
  }

  /** Stops every process still running (in parallel) and removes the temp dirs. Idempotent. */
  close(): Promise<void> {
    this.#closing ??= (async () => {
      await Promise.all([...[...this.#children].map((c) => c.close()), ...[...this.#processes].map((p) => p.stop())])
      this.#removeTempDirs()
    })()
    return this.#closing
  }

  /** Synchronous last resort for the 'exit' event: SIGKILL every group, remove the temp dirs. */
  closeNow(): void {
    for (const child of this.#children) child.closeNow()
    for (const p of this.#processes) signalGroup(p.pid, 'SIGKILL')
    this.#processes.clear()
    this.#removeTempDirs()
  }

  /**
   * Takes over SIGINT/SIGTERM while the run lasts: the first signal stops the children and exits
   * with 128 + signal number, a second one kills them at once. Returns the function that restores
   * the previous behaviour.
   */
  handleInterrupts(log: (line: string) => void): () => void {
    let interrupted = false
    const onSignal = (signal: NodeJS.Signals): void => {
      const code = signal === 'SIGINT' ? 130 : 143
      if (interrupted) {
        this.closeNow()
        process.exit(code)
      }
      interrupted = true
      log(`\n${signal}: stopping benchmark processes…`)
      void this.close().then(() => process.exit(code))
    }
    const onExit = (): void => this.closeNow()
    process.on('SIGINT', onSignal)
    process.on('SIGTERM', onSignal)
    process.on('exit', onExit)
    return () => {
      process.off('SIGINT', onSignal)
      process.off('SIGTERM', onSignal)
      process.off('exit', onExit)
    }
  }

  #removeTempDirs(): void {
    for (const dir of this.#tempDirs.splice(0)) rmSync(dir, { recursive: true, force: true })
  }
}
