import { close, open, write, writeSync } from 'node:fs'
import { setTimeout as delay } from 'node:timers/promises'
import { FailureStreak } from '../core/failure-streak.ts'

export interface ProblemReporter {
  error(details: Record<string, unknown>, message: string): void
  info(details: Record<string, unknown>, message: string): void
}

export interface BatchWriterOptions {
  /** A standard stream (never closed here) or an absolute file path, opened for appending. */
  destination: 'stdout' | 'stderr' | { path: string }
  /** Largest single write. Lines never straddle two writes, so concurrent writers cannot split a line. */
  chunkBytes: number
  /** Buffered bytes that trigger a write without waiting for the timer. */
  flushBytes: number
  /** Longest time a line waits in memory before it is written. */
  flushIntervalMs: number
  /** Bytes allowed to wait for a slow destination; beyond it new lines are dropped (and counted). */
  maxQueuedBytes: number
  report: ProblemReporter
}

const RETRY_DELAY_MS = 10
const DEFAULT_CLOSE_TIMEOUT_MS = 5000

/**
 * Collects ASCII lines in memory and writes them in batches, one `write(2)` per chunk, through
 * libuv's thread pool: the event loop never waits for the disk or a slow log reader. All fd work
 * (open, writes, reopen, close) runs as one serial task chain, so lines keep their order.
 */
export class BatchWriter {
  readonly #options: BatchWriterOptions
  #fd: number | undefined
  // Lines are copied into a slab as they arrive, so each line's string is garbage at once instead
  // of surviving in a rope for up to a flush interval (which would promote it to the old space).
  #slab: Buffer
  #offset = 0
  #chunkStart = 0
  readonly #sealed: Buffer[] = []
  #queuedBytes = 0
  #timer: NodeJS.Timeout | undefined
  #tail: Promise<void> = Promise.resolve()
  #drainScheduled = false
  #closed = false
  // Set when close() gave up waiting: stop retrying a full pipe.
  #abandoned = false
  readonly #streak = new FailureStreak()
  #droppedLines = 0
  readonly #onTimer = (): void => { this.#timer = undefined; this.#seal(); this.#scheduleDrain() }
  readonly #onExit = (): void => { this.#writeRemainingSync() }

  constructor(options: BatchWriterOptions) {
    this.#options = options
    this.#slab = Buffer.allocUnsafe(options.flushBytes)
    if (options.destination === 'stdout' || options.destination === 'stderr') {
      // Creating Node's stream for a pipe puts the fd in O_NONBLOCK mode. Without that, a reader
      // that stops reading would leave a thread-pool write blocked forever, and libuv joins its
      // thread pool at exit: the process could never terminate. With it, a full pipe is EAGAIN,
      // which #writeChunk waits out and close() can give up on.
      this.#fd = options.destination === 'stdout' ? process.stdout.fd : process.stderr.fd
    } else {
      this.#enqueue(() => this.#open())
    }
    process.on('exit', this.#onExit)
  }

  /** Lines dropped because the destination could not keep up. */
  get droppedLines(): number {
    return this.#droppedLines
  }

  /** Hot path: a bounds check and a copy into the slab; the write happens later. */
  append(line: string): void {
    if (this.#closed) return
    const bytes = line.length
    if (this.#queuedBytes + bytes > this.#options.maxQueuedBytes) {
      this.#dropLine()
      return
    }
    this.#queuedBytes += bytes
    if (this.#offset + bytes > this.#slab.length) {
      this.#seal()
      if (bytes > this.#slab.length) this.#sealed.push(Buffer.from(line, 'latin1'))
      this.#scheduleDrain()
      if (bytes > this.#slab.length) return
    }
    if (this.#offset + bytes - this.#chunkStart > this.#options.chunkBytes) {
      this.#sealed.push(this.#slab.subarray(this.#chunkStart, this.#offset))
      this.#chunkStart = this.#offset
    }
    // Lines are ASCII (see json-string.ts), so latin1 is an exact and the cheapest encoding.
    this.#offset += this.#slab.write(line, this.#offset, 'latin1')
    if (this.#timer === undefined) {
      // Armed only when a batch starts, so an idle gateway has no timer at all.
      this.#timer = setTimeout(this.#onTimer, this.#options.flushIntervalMs)
      this.#timer.unref()
    }
  }

  /** Resolves once every line appended so far has been handed to the destination. */
  flush(): Promise<void> {
    this.#seal()
    this.#scheduleDrain()
    return this.#tail
  }

  /**
   * After log rotation: lines recorded so far go to the old file, then the path is opened again.
   * Lines recorded meanwhile wait in memory.
   */
  reopen(): Promise<void> {
    if (typeof this.#options.destination === 'string' || this.#closed) return this.#tail
    this.#seal()
    this.#scheduleDrain()
    return this.#enqueue(async () => {
      await this.#closeFd()
      await this.#open()
    })
  }

  /**
   * Writes everything still buffered, then releases the file. Later lines are ignored. A reader
   * that has stopped reading cannot hold shutdown hostage: after `timeoutMs` the remaining
   * lines are given up (and reported).
   */
  close(timeoutMs = DEFAULT_CLOSE_TIMEOUT_MS): Promise<void> {
    if (this.#closed) return this.#tail
    this.#closed = true
    this.#seal()
    this.#scheduleDrain()
    const closing = this.#enqueue(async () => {
      await this.#closeFd()
      process.off('exit', this.#onExit)
    })
    let timer: NodeJS.Timeout | undefined
    const deadline = new Promise<void>((resolve) => {
      timer = setTimeout(() => {
        this.#abandoned = true
        process.off('exit', this.#onExit)
        this.#options.report.error({ destination: this.#describe(), pendingBytes: this.#queuedBytes, timeoutMs }, 'access log destination did not take the last lines in time; they are dropped')
        resolve()
      }, timeoutMs)
    })
    return Promise.race([closing, deadline]).finally(() => clearTimeout(timer))
  }

  #seal(): void {
    if (this.#timer !== undefined) {
      clearTimeout(this.#timer)
      this.#timer = undefined
    }
    if (this.#offset === 0) return
    if (this.#offset > this.#chunkStart) this.#sealed.push(this.#slab.subarray(this.#chunkStart, this.#offset))
    // The sealed chunks still point into the old slab until they are written: start a new one.
    this.#slab = Buffer.allocUnsafe(this.#options.flushBytes)
    this.#offset = 0
    this.#chunkStart = 0
  }

  #scheduleDrain(): void {
    if (this.#drainScheduled || this.#sealed.length === 0) return
    this.#drainScheduled = true
    void this.#enqueue(() => this.#drain())
  }

  #enqueue(task: () => Promise<void>): Promise<void> {
    const done = this.#tail.then(task)
    // Tasks report their own failures; the chain itself must never reject.
    this.#tail = done.catch(() => undefined)
    return this.#tail
  }

  async #drain(): Promise<void> {
    this.#drainScheduled = false
    let chunk = this.#sealed.shift()
    while (chunk !== undefined) {
      await this.#writeChunk(chunk)
      this.#queuedBytes -= chunk.length
      chunk = this.#sealed.shift()
    }
  }

  async #writeChunk(buffer: Buffer): Promise<void> {
    const fd = this.#fd
    if (fd === undefined) return // destination failed to open; already reported
    let offset = 0
    while (offset < buffer.length) {
      try {
        offset += await writeAsync(fd, buffer, offset)
      } catch (error) {
        if (this.#abandoned) return // close() gave up on these lines and has said so
        if ((error as NodeJS.ErrnoException).code === 'EAGAIN') {
          // A non-blocking pipe is full: the reader is slow. Wait rather than spin.
          await delay(RETRY_DELAY_MS)
          continue
        }
        this.#reportWriteFailure(error)
        return
      }
    }
    if (this.#streak.succeeded()) this.#options.report.info({ destination: this.#describe() }, 'access log destination writable again')
  }

  async #open(): Promise<void> {
    const { destination } = this.#options
    if (typeof destination === 'string') return
    try {
      this.#fd = await openAsync(destination.path)
      if (this.#streak.succeeded()) this.#options.report.info({ destination: destination.path }, 'access log destination writable again')
    } catch (error) {
      this.#fd = undefined
      this.#reportWriteFailure(error)
    }
  }

  async #closeFd(): Promise<void> {
    const fd = this.#fd
    if (fd === undefined || typeof this.#options.destination === 'string') return
    this.#fd = undefined
    await new Promise<void>((resolve) => close(fd, () => resolve()))
  }

  #reportWriteFailure(error: unknown): void {
    // Once per failure streak, not once per batch.
    if (this.#streak.failed()) this.#options.report.error({ err: error, destination: this.#describe() }, 'access log destination cannot be written; access lines are being dropped')
  }

  #dropLine(): void {
    if (this.#droppedLines === 0) {
      this.#options.report.error({ destination: this.#describe(), maxQueuedBytes: this.#options.maxQueuedBytes }, 'access log destination is not keeping up; access lines are being dropped')
    }
    this.#droppedLines++
  }

  #describe(): string {
    const { destination } = this.#options
    return typeof destination === 'string' ? destination : destination.path
  }

  // Last resort when the process exits without close(): the event loop is gone, so write what is
  // still buffered synchronously. A write already in flight finishes on its own.
  #writeRemainingSync(): void {
    this.#seal()
    const fd = this.#fd
    if (fd === undefined) return
    for (const chunk of this.#sealed.splice(0)) {
      if (!writeFullySync(fd, chunk)) return
    }
  }
}

const EXIT_WRITE_ATTEMPTS = 1000
const sleepCell = new Int32Array(new SharedArrayBuffer(4))

/** Synchronous write that waits out a full non-blocking pipe (EAGAIN) for up to about a second. */
function writeFullySync(fd: number, buffer: Buffer): boolean {
  let offset = 0
  for (let attempt = 0; offset < buffer.length && attempt < EXIT_WRITE_ATTEMPTS; attempt++) {
    try {
      offset += writeSync(fd, buffer, offset, buffer.length - offset)
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EAGAIN') return false
      Atomics.wait(sleepCell, 0, 0, 1)
    }
  }
  return offset === buffer.length
}

function writeAsync(fd: number, buffer: Buffer, offset: number): Promise<number> {
  return new Promise((resolve, reject) => {
    write(fd, buffer, offset, buffer.length - offset, null, (error, written) => {
      if (error === null) resolve(written)
      else reject(error)
    })
  })
}

function openAsync(path: string): Promise<number> {
  return new Promise((resolve, reject) => {
    // 0o640: access lines carry client addresses; other local users have no business reading them.
    open(path, 'a', 0o640, (error, fd) => {
      if (error === null) resolve(fd)
      else reject(error)
    })
  })
}
