import assert from 'node:assert/strict'
import { existsSync, mkdtempSync, rmSync, statSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { DatabaseSync } from 'node:sqlite'
import { after, describe, it } from 'node:test'
import { GatehouseError } from '../../src/core/errors/gatehouse-error.ts'
import { StoreConflictError } from '../../src/store/errors.ts'
import type { AccessTokenRecord } from '../../src/store/ports.ts'
import { openSqliteStore, type SqliteStore } from '../../src/store/sqlite/sqlite-store.ts'
import { MAX_WRITES_PER_TRANSACTION } from '../../src/store/sqlite/write-batcher.ts'
import { accessToken, family, NOW, refreshToken } from './store-fixtures.ts'

// Group commit in the SQLite store: the token writes of one event-loop turn share a transaction,
// each caller still gets its own result, and nothing resolves before it is committed.

const folder = mkdtempSync(join(tmpdir(), 'gatehouse-sqlite-group-commit-'))
after(() => rmSync(folder, { recursive: true, force: true }))
let files = 0
const freshPath = (): string => join(folder, `store-${++files}.db`)

async function withSqliteStore(test: (store: SqliteStore, path: string) => Promise<void>): Promise<void> {
  const path = freshPath()
  const store = await openSqliteStore(path)
  try {
    await test(store, path)
  } finally {
    await store.close()
  }
}

/** Rows of `table` as another connection sees them: only what was committed. */
function committedCount(path: string, table: string): number {
  const db = new DatabaseSync(path, { readOnly: true })
  try {
    return Number(db.prepare(`SELECT count(*) AS n FROM ${table}`).get()?.n)
  } finally {
    db.close()
  }
}

function walBytes(path: string): number {
  return existsSync(`${path}-wal`) ? statSync(`${path}-wal`).size : 0
}

const jtis = (prefix: string, count: number): string[] => Array.from({ length: count }, (_, i) => `${prefix}-${i}`)

describe('sqlite store group commit', () => {
  it('commits the token writes of one turn in one transaction, which the WAL confirms', () => withSqliteStore(async (store, path) => {
    const pageSize = 4096 + 24 // default page plus the WAL frame header
    const count = 100

    const walBeforeAlone = walBytes(path)
    for (const jti of jtis('alone', count)) await store.saveAccessToken(accessToken(jti))
    const alone = store.writeBatchStats
    assert.equal(alone.transactions, count, 'awaited one by one, each save is its own transaction')
    const framesAlone = (walBytes(path) - walBeforeAlone) / pageSize
    assert.ok(framesAlone >= count, `each commit appends at least one WAL frame: ${framesAlone}`)

    const walBeforeBatch = walBytes(path)
    await Promise.all([
      ...jtis('batch', count).map((jti) => store.saveAccessToken(accessToken(jti))),
      ...jtis('rt', 20).map((digest) => store.saveRefreshToken(refreshToken(digest))),
      ...jtis('fam', 20).map((familyId) => store.createFamily(family(familyId))),
    ])
    const batched = store.writeBatchStats
    assert.equal(batched.transactions - alone.transactions, 1)
    assert.equal(batched.writes - alone.writes, count + 40)
    const framesBatched = (walBytes(path) - walBeforeBatch) / pageSize
    assert.ok(framesBatched < count / 4, `one commit of ${count + 40} rows appended ${framesBatched} frames`)

    assert.equal(committedCount(path, 'access_tokens'), 2 * count)
    assert.equal(committedCount(path, 'refresh_tokens'), 20)
    assert.equal(committedCount(path, 'refresh_families'), 20)
    assert.deepEqual(await store.getAccessToken('batch-42'), accessToken('batch-42'))
  }))

  it('groups writes issued from separate callbacks of the same turn', () => withSqliteStore(async (store) => {
    const saved = await new Promise<Promise<void>[]>((resolve) => {
      const writes: Promise<void>[] = []
      setImmediate(() => writes.push(store.saveAccessToken(accessToken('first-callback'))))
      setImmediate(() => writes.push(store.saveAccessToken(accessToken('second-callback'))))
      setImmediate(() => resolve(writes))
    })
    await Promise.all(saved)
    assert.deepEqual(store.writeBatchStats, { transactions: 1, writes: 2, retriedBatches: 0, syncs: 1 })
  }))

  it(`commits at most ${MAX_WRITES_PER_TRANSACTION} writes per transaction`, () => withSqliteStore(async (store, path) => {
    const count = 2 * MAX_WRITES_PER_TRANSACTION + 88
    await Promise.all(jtis('many', count).map((jti) => store.saveAccessToken(accessToken(jti))))
    assert.deepEqual(store.writeBatchStats, { transactions: 3, writes: count, retriedBatches: 0, syncs: 1 }, 'one sync makes the three transactions durable')
    assert.equal(committedCount(path, 'access_tokens'), count)
  }))

  it('resolves a write only once another connection can see it committed', () => withSqliteStore(async (store, path) => {
    const seenAtResolve: number[] = []
    await Promise.all(jtis('seen', 5).map((jti) => store.saveAccessToken(accessToken(jti)).then(() => {
      seenAtResolve.push(committedCount(path, 'access_tokens'))
    })))
    assert.deepEqual(seenAtResolve, [5, 5, 5, 5, 5])
  }))

  it('gives a duplicate in a batch its conflict and commits the rest with it', () => withSqliteStore(async (store) => {
    await store.saveAccessToken(accessToken('taken'))
    await store.createFamily(family('fam-taken'))
    await store.saveRefreshToken(refreshToken('rt-used'))
    const before = store.writeBatchStats
    const results = await Promise.allSettled([
      store.saveAccessToken(accessToken('fresh-1')),
      store.saveAccessToken(accessToken('taken', { subject: 'mallory' })),
      store.createFamily(family('fam-taken')),
      store.saveAccessToken(accessToken('fresh-2')),
      store.markRefreshTokenUsed('rt-used', NOW + 1),
      store.markRefreshTokenUsed('rt-used', NOW + 2),
    ])
    assert.deepEqual(results.map((r) => r.status), ['fulfilled', 'rejected', 'rejected', 'fulfilled', 'fulfilled', 'fulfilled'])
    assert.ok(results[1].status === 'rejected' && results[1].reason instanceof StoreConflictError)
    assert.match(String((results[1] as PromiseRejectedResult).reason), /access token "taken" already exists/)
    assert.ok(results[2].status === 'rejected' && results[2].reason instanceof StoreConflictError)
    assert.deepEqual([results[4], results[5]].map((r) => r.status === 'fulfilled' && r.value), [true, false], 'the first mark wins')
    assert.deepEqual(store.writeBatchStats.transactions - before.transactions, 1, 'conflicts do not break the batch')
    assert.equal((await store.getAccessToken('taken'))?.subject, 'alice', 'the first save is kept')
    assert.notEqual(await store.getAccessToken('fresh-1'), null)
    assert.notEqual(await store.getAccessToken('fresh-2'), null)
    assert.equal((await store.getRefreshToken('rt-used'))?.usedAt, NOW + 1)
  }))

  it('retries a failed batch write by write, so only the failing caller sees the failure', () => withSqliteStore(async (store, path) => {
    await store.saveAccessToken(accessToken('taken'))
    // A NULL subject breaks a NOT NULL column: SQLite refuses the statement and the batch fails.
    const broken = { ...accessToken('broken'), subject: null } as unknown as AccessTokenRecord
    const results = await Promise.allSettled([
      store.saveAccessToken(accessToken('ok-1')),
      store.saveAccessToken(broken),
      store.saveAccessToken(accessToken('taken')),
      store.saveRefreshToken(refreshToken('rt-ok')),
      store.saveAccessToken(accessToken('ok-2')),
    ])
    assert.deepEqual(results.map((r) => r.status), ['fulfilled', 'rejected', 'rejected', 'fulfilled', 'fulfilled'])
    const failure = (results[1] as PromiseRejectedResult).reason as unknown
    assert.ok(failure instanceof GatehouseError, String(failure))
    assert.equal(failure.code, 'GH_ERR_INTERNAL')
    assert.match(failure.message, /store saveAccessToken failed: .*NOT NULL/)
    assert.ok((results[2] as PromiseRejectedResult).reason instanceof StoreConflictError, 'the duplicate still gets its conflict')
    assert.equal(store.writeBatchStats.retriedBatches, 1)
    assert.equal(committedCount(path, 'access_tokens'), 3, 'taken, ok-1, ok-2')
    assert.equal(await store.getAccessToken('broken'), null)
    assert.equal(committedCount(path, 'refresh_tokens'), 1)
  }))

  it('lets a read or revocation issued after a queued write see that write', () => withSqliteStore(async (store) => {
    const writes = [
      store.createFamily(family('fam-raw')),
      store.saveRefreshToken(refreshToken('rt-raw', { familyId: 'fam-raw' })),
      store.saveAccessToken(accessToken('at-raw', { familyId: 'fam-raw' })),
    ]
    const reads = [
      store.getFamily('fam-raw'),
      store.getRefreshToken('rt-raw'),
      store.getAccessToken('at-raw'),
    ]
    await Promise.all(writes)
    assert.deepEqual(await Promise.all(reads), [family('fam-raw'), refreshToken('rt-raw', { familyId: 'fam-raw' }), accessToken('at-raw', { familyId: 'fam-raw' })])

    // The refresh grant's shape: mark the old token used, then read and revoke in the same turn.
    const marked = store.markRefreshTokenUsed('rt-raw', NOW + 5)
    const afterMark = store.getRefreshToken('rt-raw')
    const revoked = store.revokeAccessToken('at-raw')
    assert.equal(await marked, true)
    assert.equal((await afterMark)?.usedAt, NOW + 5)
    assert.equal(await revoked, true)
    assert.equal(await store.revokeAccessTokensOfFamily('fam-raw'), 0, 'already revoked')

    // Revoking a family's access tokens, and purging, reach rows still queued.
    const familySave = store.saveAccessToken(accessToken('at-fam-2', { familyId: 'fam-2' }))
    assert.equal(await store.revokeAccessTokensOfFamily('fam-2'), 1)
    await familySave
    const expiredSave = store.saveAccessToken(accessToken('at-expired', { familyId: null, expiresAt: NOW - 1 }))
    assert.equal(await store.purgeExpired(NOW), 1)
    await expiredSave
  }))

  it('does not hold a read of another record behind an unrelated queued write', () => withSqliteStore(async (store) => {
    await store.saveRefreshToken(refreshToken('rt-old'))
    const settled: string[] = []
    const write = store.saveRefreshToken(refreshToken('rt-new')).then(() => settled.push('write'))
    const read = store.getRefreshToken('rt-old').then(() => settled.push('read of another token'))
    const sameRead = store.getRefreshToken('rt-new').then((found) => settled.push(`read of the written token: ${found?.digest}`))
    await Promise.all([write, read, sameRead])
    assert.deepEqual(settled, ['read of another token', 'write', 'read of the written token: rt-new'])
  }))

  it('commits queued writes on close, and runs the reads that waited for them', async () => {
    const path = freshPath()
    const store = await openSqliteStore(path)
    const saved = jtis('closing', 10).map((jti) => store.saveAccessToken(accessToken(jti)))
    const marked = store.saveRefreshToken(refreshToken('rt-closing'))
    const read = store.getAccessToken('closing-3')
    await store.close()
    assert.equal(store.writeBatchStats.transactions, 1)
    await Promise.all([...saved, marked])
    assert.deepEqual(await read, accessToken('closing-3'))
    assert.equal(committedCount(path, 'access_tokens'), 10)
    assert.equal(committedCount(path, 'refresh_tokens'), 1)
  })

  it('settles a write only after the WAL sync that follows its commit, and serves other work meanwhile', () => withSqliteStore(async (store, path) => {
    let settled = false
    const saved = store.saveAccessToken(accessToken('durable')).then(() => { settled = true })
    // This callback runs right after the group commit's (queued in the same turn, after it): the
    // row is committed for every connection to see, the WAL sync is on the thread pool, and the
    // caller is still waiting for it.
    await new Promise((resolve) => setImmediate(resolve))
    assert.equal(committedCount(path, 'access_tokens'), 1)
    assert.equal(settled, false, 'not settled before the WAL is synced')
    assert.equal(store.writeBatchStats.syncs, 0)
    // A read of that record waits for the sync too: nothing reads what a crash could still undo.
    const read = store.getAccessToken('durable').then((found) => ({ found, settledBefore: settled }))
    await saved
    assert.equal(store.writeBatchStats.syncs, 1)
    assert.deepEqual(await read, { found: accessToken('durable'), settledBefore: true })
  }))

  it('refuses writes and reads after close with the usual error', async () => {
    const store = await openSqliteStore(freshPath())
    await store.close()
    const closed = { name: 'GatehouseError', code: 'GH_ERR_INTERNAL', message: /store saveAccessToken failed: the sqlite store is closed/ }
    await assert.rejects(store.saveAccessToken(accessToken('late')), closed)
    await assert.rejects(store.markRefreshTokenUsed('rt', NOW), { code: 'GH_ERR_INTERNAL', message: /markRefreshTokenUsed failed: the sqlite store is closed/ })
    await assert.rejects(store.getRefreshToken('rt'), { code: 'GH_ERR_INTERNAL', message: /getRefreshToken failed: the sqlite store is closed/ })
    assert.equal(store.writeBatchStats.writes, 0, 'nothing was queued')
  })
})
