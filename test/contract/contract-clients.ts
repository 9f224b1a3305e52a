import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { StoreConflictError, StoreInputError } from '../../src/store/errors.ts'
import type { Store } from '../../src/store/ports.ts'
import { client, NOW, user, withStore } from './store-fixtures.ts'

/** Walks every page and returns the clientIds in the order the store gave them. */
async function allIds(store: Store, limit: number): Promise<{ ids: string[]; pages: number[] }> {
  const ids: string[] = []
  const pages: number[] = []
  let cursor: string | null = null
  do {
    const page = await store.listClients({ limit, cursor })
    ids.push(...page.items.map((item) => item.clientId))
    pages.push(page.items.length)
    cursor = page.next
  } while (cursor !== null)
  return { ids, pages }
}

export function clientContract(open: () => Promise<Store>): void {
  describe('clients', () => {
    it('stores a client and returns it unchanged, and null for an unknown id', () => withStore(open, async (store) => {
      const confidential = client('web-app')
      const publicClient = client('spa', { secretDigest: null, clientType: 'public', authMethod: 'none', jwks: null, accessTokenTtl: null, redirectUris: [] })
      await store.createClient(confidential)
      await store.createClient(publicClient)
      assert.deepEqual(await store.getClient('web-app'), confidential)
      assert.deepEqual(await store.getClient('spa'), publicClient)
      assert.equal(await store.getClient('nobody'), null)
    }))

    it('refuses a second client with the same clientId with StoreConflictError and keeps the first', () => withStore(open, async (store) => {
      await store.createClient(client('dup'))
      await assert.rejects(store.createClient(client('dup', { clientName: 'Impostor' })), (error: unknown) => {
        assert.ok(error instanceof StoreConflictError)
        assert.equal(error.record, 'client')
        assert.match(error.message, /client "dup" already exists/)
        return true
      })
      assert.equal((await store.getClient('dup'))?.clientName, 'Client dup')
    }))

    it('updates an existing client (true) and never creates one on update (false)', () => withStore(open, async (store) => {
      await store.createClient(client('c1'))
      const changed = client('c1', { scopes: ['read'], secretDigest: 'b2'.repeat(32), updatedAt: NOW + 5 })
      assert.equal(await store.updateClient(changed), true)
      assert.deepEqual(await store.getClient('c1'), changed)
      assert.equal(await store.updateClient(client('ghost')), false)
      assert.equal(await store.getClient('ghost'), null)
    }))

    it('deletes a client once: true, then false', () => withStore(open, async (store) => {
      await store.createClient(client('gone'))
      assert.equal(await store.deleteClient('gone'), true)
      assert.equal(await store.getClient('gone'), null)
      assert.equal(await store.deleteClient('gone'), false)
    }))

    it('pages 25 clients by 10 in clientId order with no duplicates and no gaps', () => withStore(open, async (store) => {
      const expected = Array.from({ length: 25 }, (_, i) => `client-${String(i).padStart(2, '0')}`)
      // Created out of order, so the order of the pages comes from the store, not from insertion.
      for (const id of [...expected].reverse()) await store.createClient(client(id))
      const { ids, pages } = await allIds(store, 10)
      assert.deepEqual(pages, [10, 10, 5])
      assert.deepEqual(ids, expected)
    }))

    it('ends on a full last page with next: null, and an empty store gives one empty page', () => withStore(open, async (store) => {
      assert.deepEqual(await store.listClients({ limit: 5 }), { items: [], next: null })
      for (let i = 0; i < 10; i++) await store.createClient(client(`c${i}`))
      assert.deepEqual((await allIds(store, 5)).pages, [5, 5])
    }))

    it('keeps paging exact when clients are deleted and added between pages', () => withStore(open, async (store) => {
      for (const id of ['a', 'b', 'c', 'd', 'e', 'f']) await store.createClient(client(id))
      const first = await store.listClients({ limit: 3 })
      assert.deepEqual(first.items.map((c) => c.clientId), ['a', 'b', 'c'])
      await store.deleteClient('c')
      await store.deleteClient('a')
      await store.createClient(client('bb'))
      const second = await store.listClients({ limit: 3, cursor: first.next })
      assert.deepEqual(second.items.map((c) => c.clientId), ['d', 'e', 'f'])
      assert.equal(second.next, null)
    }))

    it('refuses a cursor it did not issue and a limit below 1 with StoreInputError', () => withStore(open, async (store) => {
      await store.createClient(client('x'))
      for (const cursor of ['not a cursor!', '', 'eA=', 'eB']) {
        await assert.rejects(store.listClients({ limit: 2, cursor }), StoreInputError, `cursor ${JSON.stringify(cursor)}`)
      }
      for (const limit of [0, -1, 1.5, Number.NaN]) {
        await assert.rejects(store.listClients({ limit }), /limit must be a whole number/)
      }
    }))
  })

  describe('users', () => {
    it('creates, reads, refuses a duplicate and deletes a user', () => withStore(open, async (store) => {
      const alice = user('alice', { scopes: [] })
      await store.createUser(alice)
      assert.deepEqual(await store.getUser('alice'), alice)
      assert.equal(await store.getUser('bob'), null)
      await assert.rejects(store.createUser(user('alice')), StoreConflictError)
      assert.deepEqual(await store.getUser('alice'), alice)
      assert.equal(await store.deleteUser('alice'), true)
      assert.equal(await store.getUser('alice'), null)
      assert.equal(await store.deleteUser('alice'), false)
    }))
  })
}
