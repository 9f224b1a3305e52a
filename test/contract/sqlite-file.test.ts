import assert from 'node:assert/strict'
import { execFileSync } from 'node:child_process'
import { createHmac } from 'node:crypto'
import { chmodSync, existsSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { DatabaseSync } from 'node:sqlite'
import { after, describe, it } from 'node:test'
import { openStore } from '../../src/store/index.ts'
import { dumpTables } from '../helpers/sqlite-dump.ts'
import { accessToken, client, family, NOW, refreshToken, signingKey, user } from './store-fixtures.ts'

const folder = mkdtempSync(join(tmpdir(), 'gatehouse-sqlite-file-'))
after(() => rmSync(folder, { recursive: true, force: true }))
let files = 0
const freshPath = (): string => join(folder, `file-${++files}`, 'nested', 'store.db')
const mode = (path: string): number => statSync(path).mode & 0o777

/** Every row of every table as text, read through a separate connection. */
describe('sqlite store file', () => {
  it('keeps every kind of record across close and reopen of the same file', async () => {
    const path = freshPath()
    const first = await openStore({ type: 'sqlite', path })
    await first.createClient(client('c1'))
    await first.createUser(user('u1'))
    await first.saveAccessToken(accessToken('a1'))
    await first.saveRefreshToken(refreshToken('r1'))
    await first.markRefreshTokenUsed('r1', NOW + 1)
    await first.createFamily(family('family-1'))
    await first.rememberJti('iss', 'j1', NOW + 60)
    await first.saveKey(signingKey('k1'))
    await first.close()

    const again = await openStore({ type: 'sqlite', path })
    try {
      assert.deepEqual(await again.getClient('c1'), client('c1'))
      assert.deepEqual(await again.getUser('u1'), user('u1'))
      assert.deepEqual(await again.getAccessToken('a1'), accessToken('a1'))
      assert.deepEqual(await again.getRefreshToken('r1'), refreshToken('r1', { usedAt: NOW + 1 }))
      assert.equal(await again.markRefreshTokenUsed('r1', NOW + 2), false)
      assert.deepEqual(await again.getFamily('family-1'), family('family-1'))
      assert.equal(await again.rememberJti('iss', 'j1', NOW + 60), false)
      assert.deepEqual(await again.listKeys(), [signingKey('k1')])
    } finally {
      await again.close()
    }
  })

  it('KEY-01: the tables hold the secret digests the port received and no plaintext secret', async () => {
    const path = freshPath()
    const pepper = 'pepper-KEY01-never-stored'
    const clientSecret = 'client-secret-KEY01-plaintext-marker'
    const refreshValue = 'refresh-token-KEY01-plaintext-marker'
    const digest = (value: string): string => createHmac('sha256', pepper).update(value).digest('hex')
    const store = await openStore({ type: 'sqlite', path })
    await store.createClient(client('c1', { secretDigest: digest(clientSecret) }))
    await store.saveRefreshToken(refreshToken(digest(refreshValue)))
    await store.close()

    const dump = dumpTables(path)
    assert.ok(/^clients: /m.test(dump) && /^refresh_tokens: /m.test(dump), `tables: ${dump.split('\n').map((line) => line.split(':')[0]).join(', ')}`)
    assert.ok(dump.includes(digest(clientSecret)), 'client secret digest stored')
    assert.ok(dump.includes(digest(refreshValue)), 'refresh token digest stored')
    // Raw bytes too (database, and WAL if a checkpoint left one), not only what SELECT shows.
    const raw = [path, `${path}-wal`].filter(existsSync).map((file) => readFileSync(file).toString('latin1')).join('')
    for (const secret of [clientSecret, refreshValue, pepper]) {
      assert.ok(!dump.includes(secret), `${secret} absent from the tables`)
      assert.ok(!raw.includes(secret), `${secret} absent from the file bytes`)
    }
  })

  it('KEY-01: creates the database file with mode 0600 in parent folders it creates', async () => {
    const path = freshPath()
    const store = await openStore({ type: 'sqlite', path })
    await store.saveKey(signingKey('k1'))
    try {
      // While open after a write, WAL mode keeps a -wal and a -shm file beside the database.
      for (const file of [path, `${path}-wal`, `${path}-shm`]) assert.equal(mode(file), 0o600, file)
    } finally {
      await store.close()
    }
  })

  it('tightens an existing database file that was readable by others to 0600', async () => {
    const path = join(folder, `loose-${++files}.db`)
    writeFileSync(path, '')
    chmodSync(path, 0o644)
    const store = await openStore({ type: 'sqlite', path })
    await store.close()
    assert.equal(mode(path), 0o600)
  })

  it('a second store on the same file in this process leaves the first one\'s lock held', async () => {
    // Closing any descriptor of a file drops all of the process's POSIX locks on it. If opening a
    // second store did that, another process could take the file for unused and delete the WAL
    // under the first store (the sqlite3 shell does, on closing). The probe asks for the file
    // exclusively, without waiting: it must be refused while the stores are open.
    const path = freshPath()
    const first = await openStore({ type: 'sqlite', path })
    const second = await openStore({ type: 'sqlite', path })
    const probe = `const { DatabaseSync } = require('node:sqlite')
      const db = new DatabaseSync(${JSON.stringify(path)}, { timeout: 0 })
      try { db.exec('PRAGMA locking_mode = EXCLUSIVE'); db.prepare('SELECT count(*) FROM clients').get(); console.log('taken') }
      catch (error) { console.log(error.message) } finally { db.close() }`
    try {
      assert.equal(execFileSync(process.execPath, ['-e', probe], { encoding: 'utf8' }).trim(), 'database is locked')
      await second.close()
      assert.equal(execFileSync(process.execPath, ['-e', probe], { encoding: 'utf8' }).trim(), 'database is locked', 'closing one store keeps the other\'s lock too')
    } finally {
      await first.close()
    }
    assert.equal(execFileSync(process.execPath, ['-e', probe], { encoding: 'utf8' }).trim(), 'taken', 'with no store open, the probe can take the file')
  })

  it('uses WAL journaling on a file', async () => {
    const path = freshPath()
    await (await openStore({ type: 'sqlite', path })).close()
    const db = new DatabaseSync(path)
    assert.equal(db.prepare('PRAGMA journal_mode').get()?.journal_mode, 'wal')
    db.close()
  })

  it('marks a refresh token used and remembers a jti exactly once across two stores on one file', async () => {
    const path = freshPath()
    const one = await openStore({ type: 'sqlite', path })
    const two = await openStore({ type: 'sqlite', path })
    try {
      await one.saveRefreshToken(refreshToken('shared'))
      const marks = await Promise.all([one.markRefreshTokenUsed('shared', NOW), two.markRefreshTokenUsed('shared', NOW)])
      assert.deepEqual(marks.sort(), [false, true])
      assert.equal(await one.rememberJti('iss', 'j', NOW + 60), true)
      assert.equal(await two.rememberJti('iss', 'j', NOW + 60), false)
    } finally {
      await one.close()
      await two.close()
    }
  })
})
