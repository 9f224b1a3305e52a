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
      const publicClient = client('spa', { secretDigest: null, previousSecretDigest: null, previousSecretExpiresAt: null, clientType: 'public', authMethod: 'none', jwks: null, accessTokenTtl: null, redirectUris: [] })
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

    it('KEY-07: an update rotates the secret into previousSecretDigest, and a later one clears it', () => withStore(open, async (store) => {
      await store.createClient(client('rotating', { previousSecretDigest: null, previousSecretExpiresAt: null }))
      const rotated = client('rotating', { secretDigest: 'd4'.repeat(32), previousSecretDigest: 'a1'.repeat(32), previousSecretExpiresAt: NOW + 60, updatedAt: NOW + 1 })
      assert.equal(await store.updateClient(rotated), true)
      assert.deepEqual(await store.getClient('rotating'), rotated)
      const settled = { ...rotated, previousSecretDigest: null, previousSecretExpiresAt: null, updatedAt: NOW + 2 }
      assert.equal(await store.updateClient(settled), true)
      assert.deepEqual(await store.getClient('rotating'), settled)
      assert.deepEqual((await store.listClients({ limit: 5 })).items, [settled])
    }))

    it('KEY-07: updates with ifSecretDigest only while the stored secret is still that one', () => withStore(open, async (store) => {
      const original = client('cas')
      await store.createClient(original)
      const first = client('cas', { secretDigest: 'e5'.repeat(32), previousSecretDigest: 'a1'.repeat(32), updatedAt: NOW + 1 })
      assert.equal(await store.updateClient(first, { ifSecretDigest: 'a1'.repeat(32) }), true)
      const stale = client('cas', { secretDigest: 'f6'.repeat(32), previousSecretDigest: 'a1'.repeat(32), updatedAt: NOW + 2 })
      assert.equal(await store.updateClient(stale, { ifSecretDigest: 'a1'.repeat(32) }), false, 'read before the first update: refused')
      assert.deepEqual(await store.getClient('cas'), first)
      assert.equal(await store.updateClient(stale, { ifSecretDigest: null }), false, 'null expects no secret at all')
      assert.equal(await store.updateClient(client('ghost'), { ifSecretDigest: 'a1'.repeat(32) }), false)
      assert.equal(await store.getClient('ghost'), null)

      const publicClient = client('pub', { secretDigest: null, previousSecretDigest: null, previousSecretExpiresAt: null, authMethod: 'none' })
      await store.createClient(publicClient)
      const renamed = { ...publicClient, clientName: 'Renamed' }
      assert.equal(await store.updateClient(renamed, { ifSecretDigest: null }), true, 'null matches a client without a secret')
      assert.deepEqual(await store.getClient('pub'), renamed)
      assert.equal(await store.updateClient({ ...renamed, clientName: 'Again' }, { ifSecretDigest: 'a1'.repeat(32) }), false)
      assert.equal((await store.getClient('pub'))?.clientName, 'Renamed')
    }))

    it('KEY-07: swapClientSecret sets only the secret fields, only while the secret is the one given', () => withStore(open, async (store) => {
      const original = client('swap', { previousSecretDigest: null, previousSecretExpiresAt: null })
      await store.createClient(original)
      const rotation = { secretDigest: 'e5'.repeat(32), previousSecretDigest: 'a1'.repeat(32), previousSecretExpiresAt: NOW + 60, updatedAt: NOW + 1 }
      assert.equal(await store.swapClientSecret('swap', 'a1'.repeat(32), rotation), true)
      assert.deepEqual(await store.getClient('swap'), { ...original, ...rotation })

      const stale = { secretDigest: 'f6'.repeat(32), previousSecretDigest: 'a1'.repeat(32), previousSecretExpiresAt: NOW + 90, updatedAt: NOW + 2 }
      assert.equal(await store.swapClientSecret('swap', 'a1'.repeat(32), stale), false, 'the secret changed since')
      assert.equal(await store.swapClientSecret('swap', null, stale), false)
      assert.deepEqual(await store.getClient('swap'), { ...original, ...rotation })

      const ended = { secretDigest: 'f6'.repeat(32), previousSecretDigest: null, previousSecretExpiresAt: null, updatedAt: NOW + 3 }
      assert.equal(await store.swapClientSecret('swap', 'e5'.repeat(32), ended), true)
      assert.deepEqual(await store.getClient('swap'), { ...original, ...ended })
      assert.equal(await store.swapClientSecret('ghost', 'a1'.repeat(32), ended), false)
      assert.equal(await store.getClient('ghost'), null)
    }))

    it('KEY-07: forgetEndedSecrets clears previous secrets whose overlap ended, and only those', () => withStore(open, async (store) => {
      const ended = client('ended', { previousSecretDigest: 'b2'.repeat(32), previousSecretExpiresAt: NOW - 1 })
      const edge = client('edge', { previousSecretDigest: 'c3'.repeat(32), previousSecretExpiresAt: NOW })
      const running = client('running', { previousSecretDigest: 'd4'.repeat(32), previousSecretExpiresAt: NOW + 1 })
      const none = client('none', { previousSecretDigest: null, previousSecretExpiresAt: null })
      for (const c of [ended, edge, running, none]) await store.createClient(c)
      // Read once first: a store that keeps clients in memory must not answer from there afterwards.
      assert.equal((await store.getClient('ended'))?.previousSecretDigest, 'b2'.repeat(32))
      assert.equal(await store.forgetEndedSecrets(NOW), 2)
      assert.deepEqual(await store.getClient('ended'), { ...ended, previousSecretDigest: null, previousSecretExpiresAt: null })
      assert.deepEqual(await store.getClient('edge'), { ...edge, previousSecretDigest: null, previousSecretExpiresAt: null }, 'an overlap ending exactly now has ended')
      assert.deepEqual(await store.getClient('running'), running, 'an overlap still running keeps its secret')
      assert.deepEqual(await store.getClient('none'), none)
      assert.equal(await store.forgetEndedSecrets(NOW), 0)
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
