// The sqlite store keeps client records between lookups (src/store/sqlite/client-cache.ts). These
// tests open the same file through two stores, as two processes sharing it would, and check that a
// lookup never returns a client that was changed or deleted elsewhere.
import assert from 'node:assert/strict'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { DatabaseSync } from 'node:sqlite'
import { after, describe, it } from 'node:test'
import { ClientCache } from '../../src/store/sqlite/client-cache.ts'
import { openSqliteStore, type SqliteStore } from '../../src/store/sqlite/sqlite-store.ts'
import { accessToken, client, NOW } from './store-fixtures.ts'

const folder = mkdtempSync(join(tmpdir(), 'gatehouse-client-cache-'))
after(() => rmSync(folder, { recursive: true, force: true }))
let files = 0

interface Stores {
  /** The store under test. */
  here: SqliteStore
  /** A second store on the same file, as another process would open it. */
  elsewhere: SqliteStore
  /** A plain SQLite connection to the file: any other writer. */
  raw: DatabaseSync
}

/** Runs `test` with two stores and a raw connection on a new file, and closes them all after. */
async function withStores(test: (stores: Stores) => Promise<void>): Promise<void> {
  const path = join(folder, `store-${++files}.db`)
  const here = await openSqliteStore(path)
  const elsewhere = await openSqliteStore(path)
  const raw = new DatabaseSync(path)
  try {
    await test({ here, elsewhere, raw })
  } finally {
    raw.close()
    await here.close()
    await elsewhere.close()
  }
}

describe('sqlite store client cache', () => {
  it('sees a secret rotated through another connection on the next lookup', () => withStores(async ({ here, elsewhere }) => {
    await here.createClient(client('c1'))
    assert.equal((await here.getClient('c1'))?.secretDigest, 'a1'.repeat(32))
    assert.equal(await elsewhere.swapClientSecret('c1', 'a1'.repeat(32), { secretDigest: 'b2'.repeat(32), previousSecretDigest: null, previousSecretExpiresAt: null, updatedAt: NOW + 1 }), true)
    const after = await here.getClient('c1')
    assert.equal(after?.secretDigest, 'b2'.repeat(32))
    assert.equal(after?.previousSecretDigest, null)
  }))

  it('stops returning a client deleted through another connection', () => withStores(async ({ here, elsewhere }) => {
    await here.createClient(client('c1'))
    assert.notEqual(await here.getClient('c1'), null)
    assert.equal(await elsewhere.deleteClient('c1'), true)
    assert.equal(await here.getClient('c1'), null)
  }))

  it('sees a change made by any other writer of the file, not only a store', () => withStores(async ({ here, raw }) => {
    await here.createClient(client('c1'))
    assert.equal((await here.getClient('c1'))?.clientName, 'Client c1')
    raw.prepare('UPDATE clients SET client_name = ? WHERE client_id = ?').run('Renamed', 'c1')
    assert.equal((await here.getClient('c1'))?.clientName, 'Renamed')
  }))

  it('sees its own updates, rotations and deletions at once', () => withStores(async ({ here }) => {
    await here.createClient(client('c1'))
    await here.getClient('c1')
    assert.equal(await here.updateClient(client('c1', { scopes: ['read'] })), true)
    assert.deepEqual((await here.getClient('c1'))?.scopes, ['read'])
    assert.equal(await here.swapClientSecret('c1', 'a1'.repeat(32), { secretDigest: 'd4'.repeat(32), previousSecretDigest: null, previousSecretExpiresAt: null, updatedAt: NOW + 1 }), true)
    assert.equal((await here.getClient('c1'))?.secretDigest, 'd4'.repeat(32))
    assert.equal(await here.deleteClient('c1'), true)
    assert.equal(await here.getClient('c1'), null)
    await here.createClient(client('c1', { clientName: 'Again' }))
    assert.equal((await here.getClient('c1'))?.clientName, 'Again')
  }))

  it('reads the clients\' revision only when data_version moved, and empties itself only when the revision moved', () => {
    const cache = new ClientCache()
    let reads = 0
    const revision = (value: number) => () => { reads++; return value }
    cache.sync(1, revision(10))
    cache.set(client('a'))
    cache.sync(1, revision(11))
    assert.equal(reads, 1, 'same data_version: the revision is not read')
    cache.sync(2, revision(10))
    assert.equal(cache.get('a')?.clientId, 'a', 'another connection committed, but not to the clients')
    cache.sync(3, revision(11))
    assert.equal(cache.size, 0, 'a client changed elsewhere')
    assert.equal(reads, 3)
  })

  it('keeps its clients through token writes of another connection, and still sees client changes after them', () => withStores(async ({ here, elsewhere, raw }) => {
    await here.createClient(client('c1'))
    assert.equal((await here.getClient('c1'))?.clientName, 'Client c1')
    // Only observable from outside by changing the row without moving the revision: a
    // connection that drops the trigger first. The token write then moves data_version alone.
    raw.exec('DROP TRIGGER clients_updated')
    raw.prepare('UPDATE clients SET client_name = ? WHERE client_id = ?').run('Unseen', 'c1')
    await elsewhere.saveAccessToken(accessToken('t1', { clientId: 'c1' }))
    assert.equal((await here.getClient('c1'))?.clientName, 'Client c1', 'served from memory: the clients\' revision did not move')
    raw.exec('CREATE TRIGGER clients_updated AFTER UPDATE ON clients BEGIN UPDATE client_revision SET revision = revision + 1; END')
    assert.equal(await elsewhere.updateClient(client('c1', { clientName: 'Renamed' })), true)
    assert.equal((await here.getClient('c1'))?.clientName, 'Renamed')
  }))

  it('hands out copies: a caller changing its record changes nothing for the next', () => withStores(async ({ here }) => {
    await here.createClient(client('c1'))
    const first = await here.getClient('c1')
    assert.ok(first)
    first.clientName = 'changed'
    first.scopes.push('admin')
    first.grantTypes.length = 0
    const second = await here.getClient('c1')
    assert.notEqual(second, first)
    assert.deepEqual(second, client('c1'))
  }))

  it('is bounded: the oldest entry makes room, and unknown ids are not kept', async () => {
    const cache = new ClientCache(2)
    cache.sync(1, () => 1)
    cache.set(client('a'))
    cache.set(client('b'))
    cache.set(client('c'))
    assert.equal(cache.size, 2)
    assert.equal(cache.get('a'), undefined)
    assert.equal(cache.get('c')?.clientId, 'c')
    cache.sync(2, () => 2)
    assert.equal(cache.size, 0)

    await withStores(async ({ here }) => {
      for (let i = 0; i < 50; i++) assert.equal(await here.getClient(`missing-${i}`), null)
      await here.createClient(client('c1'))
      assert.notEqual(await here.getClient('c1'), null)
    })
  })
})
