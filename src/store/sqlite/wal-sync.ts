import { closeSync, fdatasync, fstatSync, fsyncSync, openSync, statSync } from 'node:fs'
import { dirname } from 'node:path'

/**
 * Makes the write-ahead log durable off the event loop. node:sqlite is synchronous: with
 * `synchronous = FULL` every commit waits for its fsync on the event loop, and no request is served
 * meanwhile. The store's group commits run with `synchronous = NORMAL` instead (SQLite appends the
 * transaction to the WAL without syncing it) and their callers wait for this class to fdatasync
 * the WAL on libuv's thread pool. A caller is settled only after a sync that started after its
 * commit: the same guarantee as FULL, while the event loop keeps serving.
 *
 * One sync runs at a time; commits made while it runs wait for the next one, which covers them
 * all (group commit). The descriptor is the WAL's own inode: SQLite keeps that file (and only
 * resets it in place) while any connection is open, and ours stays open until the store closes.
 */
export class WalSync {
  readonly #fd: number
  #running = false
  #closed = false
  #completed = 0
  /** Callbacks of commits the running sync does not cover. */
  #waiting: ((error: Error | null) => void)[] = []
  /** Settled when no sync runs; close() waits for it so the descriptor is never closed under one. */
  #idle: PromiseWithResolvers<void> | null = null

  private constructor(fd: number) {
    this.#fd = fd
  }

  /**
   * Opens the WAL of the database at `databasePath`; the connection must already be in WAL mode
   * and have opened the log. Syncs the folder once, so the log's directory entry is durable too.
   */
  static open(databasePath: string): WalSync {
    const walPath = `${databasePath}-wal`
    const fd = openSync(walPath, 'r+')
    try {
      if (fstatSync(fd).ino !== statSync(walPath).ino) throw new Error(`${walPath} was replaced while opening it`)
      const folder = openSync(dirname(walPath), 'r')
      try {
        fsyncSync(folder)
      } finally {
        closeSync(folder)
      }
      return new WalSync(fd)
    } catch (error) {
      closeSync(fd)
      throw error
    }
  }

  /**
   * Calls `done` once everything committed before this call is on disk. A failed fdatasync is
   * passed to the callbacks it was to cover: their writes must not be reported durable.
   */
  afterSync(done: (error: Error | null) => void): void {
    if (this.#closed) {
      done(new Error('the write-ahead log is closed'))
      return
    }
    this.#waiting.push(done)
    if (!this.#running) this.#start()
  }

  /** Syncs that have finished since the store opened (for tests and diagnosis). */
  get completedSyncs(): number {
    return this.#completed
  }

  /** Waits for the syncs asked for so far, then closes the descriptor. */
  async close(): Promise<void> {
    if (this.#closed) return
    this.#closed = true
    while (this.#running) await this.#idle?.promise
    closeSync(this.#fd)
  }

  #start(): void {
    this.#running = true
    this.#idle ??= Promise.withResolvers()
    const covered = this.#waiting
    this.#waiting = []
    fdatasync(this.#fd, (error) => {
      this.#completed++
      for (const settle of covered) settle(error)
      if (this.#waiting.length > 0) {
        this.#start()
        return
      }
      this.#running = false
      this.#idle?.resolve()
      this.#idle = null
    })
  }
}
