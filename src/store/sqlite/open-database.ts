import { chmodSync, closeSync, constants, mkdirSync, openSync } from 'node:fs'
import { dirname } from 'node:path'
import { DatabaseSync } from 'node:sqlite'
import { GatehouseError } from '../../core/errors/gatehouse-error.ts'
import { describeFailure } from './failure.ts'
import { applyMigrations } from './migrations.ts'

/** How long a write waits for another process (a cluster worker) holding the lock. */
const BUSY_TIMEOUT_MS = 5000

/**
 * Opens (creating if needed) the store file and brings its schema up to date. The file holds
 * private signing keys, so it is created 0600 before SQLite ever touches it; SQLite gives its
 * -wal and -shm files the same mode as the database file.
 */
export function openDatabase(path: string): DatabaseSync {
  const inMemory = path === ':memory:'
  if (!inMemory) createPrivateFile(path)
  let db: DatabaseSync
  try {
    db = new DatabaseSync(path)
  } catch (error) {
    throw new GatehouseError('GH_ERR_INTERNAL', `store open failed for ${path}: ${describeFailure(error)}`, { cause: error })
  }
  try {
    db.exec(`PRAGMA busy_timeout = ${BUSY_TIMEOUT_MS}`)
    // FULL (not NORMAL) syncs the WAL on every commit: losing a refresh token's "used" mark to a
    // power cut would let that token be exchanged a second time.
    db.exec('PRAGMA synchronous = FULL')
    if (!inMemory) {
      const mode = db.prepare('PRAGMA journal_mode = WAL').get()?.journal_mode
      if (mode !== 'wal') throw new Error(`journal_mode stayed ${String(mode)}`)
    }
    applyMigrations(db)
    return db
  } catch (error) {
    db.close()
    if (error instanceof GatehouseError) throw error
    throw new GatehouseError('GH_ERR_INTERNAL', `store open failed for ${path}: ${describeFailure(error)}`, { cause: error })
  }
}

function createPrivateFile(path: string): void {
  try {
    mkdirSync(dirname(path), { recursive: true, mode: 0o700 })
    // An existing file is never opened here: closing any descriptor of a file drops every POSIX
    // lock this process holds on it, SQLite's included. With a connection of this process already
    // open, another process (the sqlite3 shell, say) would then find the file unlocked, take it
    // for unused, and delete the WAL under that connection, which from then on neither sees other
    // processes' commits nor writes where they can read.
    try {
      closeSync(openSync(path, constants.O_RDWR | constants.O_CREAT | constants.O_EXCL, 0o600))
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error
    }
    // Also tightens a file that already existed with a wider mode.
    chmodSync(path, 0o600)
  } catch (error) {
    throw new GatehouseError('GH_ERR_INTERNAL', `store open failed: cannot create or restrict ${path} to mode 0600: ${describeFailure(error)}`, { cause: error })
  }
}
