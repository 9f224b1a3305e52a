import type { DatabaseSync } from 'node:sqlite'
import { operationFailure, runOperation } from './failure.ts'
import type { WalSync } from './wal-sync.ts'

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
  /** WAL syncs that made group commits durable (none for a store in memory). */
  syncs: number
}

interface QueuedWrite {
  operation: string
  /** Runs one statement and returns how many rows it changed. */
  execute: () => number
  resolve: (changes: number) => void
  reject: (error: unknown) => void
  /** Filled in by the commit; handed to the caller once the commit is durable. */
  outcome: { changes: number } | { error: unknown } | null
}

/** Committed writes whose sync is still running, with the records they touch and who waits for them. */
interface UnsyncedGroup {
  keys: Set<string>
  followers: (() => void)[]
}

/**
 * Group commit. Writes queued during one event-loop turn are committed together in one
 * transaction when the turn ends (setImmediate, so requests arriving in separate socket callbacks
 * of the same turn share it), and each caller's promise settles only once that commit is durable:
 * the same guarantee as one `synchronous = FULL` commit per write.
 *
 * With a WalSync (a store in a file), the transaction commits with `synchronous = NORMAL` and the
 * WAL is synced on the thread pool; the event loop serves other requests meanwhile, and the turns
 * that commit while one sync runs share the next. Without one (`:memory:`), callers settle at
 * commit.
 *
 * Each write names the records it touches (keys such as `refresh:<digest>`). An operation on a
 * record with a pending write (queued, or committed and not yet durable) runs right after that
 * write has settled (`afterQueuedWrites`), so a read issued after a write sees it, and never
 * reads what could still be lost; operations on other records run at once.
 */
export class WriteBatcher {
  readonly #db: DatabaseSync
  readonly #walSync: WalSync | null
  #writes: QueuedWrite[] = []
  /** The keys the queued writes touch, and the work that must see them. */
  #queued: UnsyncedGroup = { keys: new Set(), followers: [] }
  /** Committed groups waiting for their sync, oldest first. */
  #unsynced: UnsyncedGroup[] = []
  #scheduled: NodeJS.Immediate | null = null
  readonly #stats = { transactions: 0, writes: 0, retriedBatches: 0 }

  constructor(db: DatabaseSync, walSync: WalSync | null = null) {
    this.#db = db
    this.#walSync = walSync
  }

  get stats(): WriteBatchStats {
    return { ...this.#stats, syncs: this.#walSync?.completedSyncs ?? 0 }
  }

  /**
   * Queues one write that touches the records named by `keys`; resolves with the rows it changed
   * once its transaction has committed durably.
   */
  write(operation: string, keys: readonly string[], execute: () => number): Promise<number> {
    const { promise, resolve, reject } = Promise.withResolvers<number>()
    this.#writes.push({ operation, execute, resolve, reject, outcome: null })
    for (const key of keys) this.#queued.keys.add(key)
    this.#scheduled ??= setImmediate(() => this.flush())
    return promise
  }

  /**
   * Runs `task` at once when no pending write touches `key`, else right after the latest such
   * write has settled. A null key waits for every pending write (for work that spans whole tables).
   */
  afterQueuedWrites<T>(key: string | null, task: () => T): T | Promise<T> {
    const group = this.#latestGroupTouching(key)
    if (group === null) return task()
    const { promise, resolve, reject } = Promise.withResolvers<T>()
    group.followers.push(() => {
      try {
        resolve(task())
      } catch (error) {
        reject(error)
      }
    })
    return promise
  }

  /**
   * Commits everything queued. Synchronous, so nothing else runs between BEGIN and COMMIT; the
   * callers settle, and the work that waited for them runs, once the commit is durable.
   */
  flush(): void {
    if (this.#scheduled !== null) {
      clearImmediate(this.#scheduled)
      this.#scheduled = null
    }
    const writes = this.#writes
    const group = this.#queued
    this.#writes = []
    this.#queued = { keys: new Set(), followers: [] }
    if (writes.length === 0 && group.followers.length === 0) return
    // Should the switch to NORMAL fail, these commits sync on the event loop and settle at once.
    const walSync = this.#walSync !== null && this.#setSynchronous('NORMAL') ? this.#walSync : null
    for (let start = 0; start < writes.length; start += MAX_WRITES_PER_TRANSACTION) {
      this.#commit(writes.slice(start, start + MAX_WRITES_PER_TRANSACTION))
    }
    // Every other write of the store (clients, users, keys) keeps syncing at its commit.
    if (walSync !== null) this.#setSynchronous('FULL')
    if (walSync === null) {
      settle(writes, group, null)
      return
    }
    this.#unsynced.push(group)
    walSync.afterSync((error) => {
      this.#unsynced.splice(this.#unsynced.indexOf(group), 1)
      settle(writes, group, error)
    })
  }

  /**
   * Commits what is queued and waits until every pending write has settled and the work that
   * waited for it has run, including writes that work queued in turn (for closing the store).
   */
  async settleAll(): Promise<void> {
    while (this.#writes.length > 0 || this.#unsynced.length > 0) {
      this.flush()
      const walSync = this.#walSync
      if (walSync !== null && this.#unsynced.length > 0) await new Promise<void>((resolve) => walSync.afterSync(() => resolve()))
    }
  }

  #latestGroupTouching(key: string | null): UnsyncedGroup | null {
    if (this.#writes.length > 0 && (key === null || this.#queued.keys.has(key))) return this.#queued
    for (let index = this.#unsynced.length - 1; index >= 0; index--) {
      const group = this.#unsynced[index]
      if (key === null || group.keys.has(key)) return group
    }
    return null
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
      for (const write of batch) write.outcome = { error: operationFailure(write.operation, error) }
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
    batch.forEach((write, index) => { write.outcome = { changes: changes[index] } })
  }

  /** One write in its own (implicit) transaction, as the store ran every write before batching. */
  #commitAlone(write: QueuedWrite): void {
    this.#stats.transactions++
    try {
      write.outcome = { changes: runOperation(write.operation, write.execute) }
    } catch (error) {
      write.outcome = { error }
    }
  }

  /** PRAGMA synchronous only sets a flag of the connection outside a transaction; false if refused. */
  #setSynchronous(level: 'NORMAL' | 'FULL'): boolean {
    try {
      this.#db.exec(`PRAGMA synchronous = ${level}`)
      return true
    } catch {
      return false
    }
  }

  #rollback(): void {
    try {
      if (this.#db.isTransaction) this.#db.exec('ROLLBACK')
    } catch {
      // SQLite already ended the transaction (it does so itself after some I/O errors).
    }
  }
}

/**
 * Hands each caller its outcome, then runs the work that waited for these writes. A failed sync
 * fails the writes it was to make durable: committed, but not known to survive a crash.
 */
function settle(writes: QueuedWrite[], group: UnsyncedGroup, syncError: Error | null): void {
  for (const write of writes) {
    const outcome = write.outcome
    if (outcome === null) write.reject(operationFailure(write.operation, new Error('the write never ran')))
    else if ('error' in outcome) write.reject(outcome.error)
    else if (syncError !== null) write.reject(operationFailure(write.operation, syncError))
    else write.resolve(outcome.changes)
  }
  for (const follow of group.followers) follow()
}
