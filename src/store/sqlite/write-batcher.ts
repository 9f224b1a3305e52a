import type { DatabaseSync } from 'node:sqlite'
import { operationFailure, runOperation } from './failure.ts'

/** Most writes one transaction carries; a longer queue commits in several transactions. */
export const MAX_WRITES_PER_TRANSACTION = 256

/** What the queue has done since the store opened; tests read it to see that writes were grouped. */
export interface WriteBatchStats {
  /** Transactions the queue ran: whole batches, and writes run on their own. */
  transactions: number
  /** Writes that went through the queue. */
  writes: number
  /** Batches that failed, were rolled back and retried one write per transaction. */
  retriedBatches: number
}

interface QueuedWrite {
  operation: string
  /** Runs one statement and returns how many rows it changed. */
  execute: () => number
  resolve: (changes: number) => void
  reject: (error: unknown) => void
}

/**
 * Group commit. With `synchronous = FULL` every commit waits for an fsync, so one transaction per
 * issued token caps the token rate at the disk's sync rate. Writes queued during one event-loop
 * turn are committed together in one transaction when the turn ends (setImmediate, so requests
 * arriving in separate socket callbacks of the same turn share it), and each caller's promise
 * settles only after that commit: durability is the same as one commit per write.
 *
 * Each write names the records it touches (keys such as `refresh:<digest>`). An operation on a
 * record with a queued write runs right after that write has committed (`afterQueuedWrites`), so a
 * read issued after a write sees it and a revocation issued after a save finds the saved row;
 * operations on other records run at once instead of waiting for an unrelated commit.
 */
export class WriteBatcher {
  readonly #db: DatabaseSync
  #writes: QueuedWrite[] = []
  /** The keys the queued writes touch. */
  #queuedKeys = new Set<string>()
  /** Work that must see the queued writes; it runs right after they commit. */
  #followers: (() => void)[] = []
  #scheduled: NodeJS.Immediate | null = null
  readonly #stats: WriteBatchStats = { transactions: 0, writes: 0, retriedBatches: 0 }

  constructor(db: DatabaseSync) {
    this.#db = db
  }

  get stats(): WriteBatchStats {
    return { ...this.#stats }
  }

  /**
   * Queues one write that touches the records named by `keys`; resolves with the rows it changed
   * once its transaction has committed.
   */
  write(operation: string, keys: readonly string[], execute: () => number): Promise<number> {
    const { promise, resolve, reject } = Promise.withResolvers<number>()
    this.#writes.push({ operation, execute, resolve, reject })
    for (const key of keys) this.#queuedKeys.add(key)
    this.#scheduled ??= setImmediate(() => this.flush())
    return promise
  }

  /**
   * Runs `task` at once when no queued write touches `key`, else right after the queued writes have
   * committed. A null key waits for any queued write (for work that spans whole tables).
   */
  afterQueuedWrites<T>(key: string | null, task: () => T): T | Promise<T> {
    if (this.#writes.length === 0 || (key !== null && !this.#queuedKeys.has(key))) return task()
    const { promise, resolve, reject } = Promise.withResolvers<T>()
    this.#followers.push(() => {
      try {
        resolve(task())
      } catch (error) {
        reject(error)
      }
    })
    return promise
  }

  /**
   * Commits everything queued, then runs the work that waited for it. Synchronous, so nothing else
   * runs between BEGIN and COMMIT; every queued promise is settled before it returns.
   */
  flush(): void {
    if (this.#scheduled !== null) {
      clearImmediate(this.#scheduled)
      this.#scheduled = null
    }
    const writes = this.#writes
    const followers = this.#followers
    this.#writes = []
    this.#queuedKeys = new Set()
    this.#followers = []
    for (let start = 0; start < writes.length; start += MAX_WRITES_PER_TRANSACTION) {
      this.#commit(writes.slice(start, start + MAX_WRITES_PER_TRANSACTION))
    }
    for (const follow of followers) follow()
  }

  #commit(batch: QueuedWrite[]): void {
    this.#stats.writes += batch.length
    if (batch.length === 1) {
      this.#commitAlone(batch[0])
      return
    }
    this.#stats.transactions++
    try {
      this.#db.exec('BEGIN IMMEDIATE')
    } catch (error) {
      // No write ran, so none is to blame: each caller gets the failure it would have got alone
      // (usually another process holding the lock past busy_timeout).
      for (const write of batch) write.reject(operationFailure(write.operation, error))
      return
    }
    const changes: number[] = []
    try {
      for (const write of batch) changes.push(write.execute())
      this.#db.exec('COMMIT')
    } catch {
      // One write failed (or the commit did): undo the batch and run each write in its own
      // transaction, so the failure reaches only the caller whose write caused it.
      this.#rollback()
      this.#stats.retriedBatches++
      for (const write of batch) this.#commitAlone(write)
      return
    }
    batch.forEach((write, index) => write.resolve(changes[index]))
  }

  /** One write in its own (implicit) transaction, as the store ran every write before batching. */
  #commitAlone(write: QueuedWrite): void {
    this.#stats.transactions++
    let changes: number
    try {
      changes = runOperation(write.operation, write.execute)
    } catch (error) {
      write.reject(error)
      return
    }
    write.resolve(changes)
  }

  #rollback(): void {
    try {
      if (this.#db.isTransaction) this.#db.exec('ROLLBACK')
    } catch {
      // SQLite already ended the transaction (it does so itself after some I/O errors).
    }
  }
}
