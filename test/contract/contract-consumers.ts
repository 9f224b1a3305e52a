import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { StoreConflictError, StoreInputError } from '../../src/store/errors.ts'
import type { ApiKeyRecord, ConsumerRecord, Store } from '../../src/store/ports.ts'
import { NOW, withStore } from './store-fixtures.ts'

export function consumer(consumerId: string, overrides: Partial<ConsumerRecord> = {}): ConsumerRecord {
  return { consumerId, name: `Consumer ${consumerId}`, status: 'active', createdAt: NOW, updatedAt: NOW, ...overrides }
}

/** `digest` is any 64-hex string here; the store never derives or checks it. */
export function apiKey(digest: string, consumerId: string, overrides: Partial<ApiKeyRecord> = {}): ApiKeyRecord {
  return { digest, consumerId, label: 'primary', createdAt: NOW, revokedAt: null, ...overrides }
}

const hex = (byte: string): string => byte.repeat(32)

export function consumerContract(open: () => Promise<Store>): void {
  describe('consumers', () => {
    it('creates, reads, updates (suspends) and refuses a duplicate consumer id', () => withStore(open, async (store) => {
      const billing = consumer('billing')
      await store.createConsumer(billing)
      assert.deepEqual(await store.getConsumer('billing'), billing)
      assert.equal(await store.getConsumer('nobody'), null)
      await assert.rejects(store.createConsumer(consumer('billing', { name: 'Impostor' })), (error: unknown) => {
        assert.ok(error instanceof StoreConflictError)
        assert.equal(error.record, 'consumer')
        return true
      })
      const suspended = consumer('billing', { status: 'suspended', updatedAt: NOW + 5 })
      assert.equal(await store.updateConsumer(suspended), true)
      assert.deepEqual(await store.getConsumer('billing'), suspended)
      assert.equal(await store.updateConsumer(consumer('ghost')), false)
      assert.equal(await store.getConsumer('ghost'), null)
    }))

    it('pages consumers in id order and refuses a foreign cursor naming listConsumers', () => withStore(open, async (store) => {
      const ids = Array.from({ length: 7 }, (_, i) => `consumer-${i}`)
      for (const id of [...ids].reverse()) await store.createConsumer(consumer(id))
      const first = await store.listConsumers({ limit: 4 })
      assert.deepEqual(first.items.map((c) => c.consumerId), ids.slice(0, 4))
      const second = await store.listConsumers({ limit: 4, cursor: first.next })
      assert.deepEqual(second.items.map((c) => c.consumerId), ids.slice(4))
      assert.equal(second.next, null)
      await assert.rejects(store.listConsumers({ limit: 2, cursor: 'bogus!' }), (error: unknown) => error instanceof StoreInputError && /listConsumers/.test(error.message))
      await assert.rejects(store.listConsumers({ limit: 0 }), /listConsumers: limit must be/)
    }))
  })

  describe('API keys', () => {
    it('saves a key by digest for an existing consumer, finds it by digest, and lists a consumer\'s keys oldest first', () => withStore(open, async (store) => {
      await store.createConsumer(consumer('billing'))
      await store.createConsumer(consumer('search'))
      const newer = apiKey(hex('b2'), 'billing', { createdAt: NOW + 10, label: 'rotated' })
      const older = apiKey(hex('a1'), 'billing')
      assert.equal(await store.saveApiKey(newer), true)
      assert.equal(await store.saveApiKey(older), true)
      assert.equal(await store.saveApiKey(apiKey(hex('c3'), 'search')), true)
      assert.deepEqual(await store.getApiKey(hex('a1')), older)
      assert.equal(await store.getApiKey(hex('ff')), null)
      assert.deepEqual(await store.listApiKeys('billing'), [older, newer])
      assert.deepEqual(await store.listApiKeys('nobody'), [])
    }))

    it('refuses a key for an unknown consumer (false) and a taken digest (StoreConflictError without the digest)', () => withStore(open, async (store) => {
      assert.equal(await store.saveApiKey(apiKey(hex('a1'), 'ghost')), false)
      assert.equal(await store.getApiKey(hex('a1')), null)
      await store.createConsumer(consumer('billing'))
      await store.createConsumer(consumer('search'))
      await store.saveApiKey(apiKey(hex('a1'), 'billing'))
      await assert.rejects(store.saveApiKey(apiKey(hex('a1'), 'search')), (error: unknown) => {
        assert.ok(error instanceof StoreConflictError)
        assert.ok(!error.message.includes(hex('a1')), 'the digest stays out of the message')
        return true
      })
      assert.equal((await store.getApiKey(hex('a1')))?.consumerId, 'billing')
    }))

    it('revokes a key once, keeping the first time', () => withStore(open, async (store) => {
      await store.createConsumer(consumer('billing'))
      await store.saveApiKey(apiKey(hex('a1'), 'billing'))
      assert.equal(await store.revokeApiKey(hex('a1'), NOW + 1), true)
      assert.equal(await store.revokeApiKey(hex('a1'), NOW + 2), false)
      assert.equal((await store.getApiKey(hex('a1')))?.revokedAt, NOW + 1)
      assert.equal(await store.revokeApiKey(hex('ff'), NOW), false)
    }))
  })

  describe('client links', () => {
    it('links a client id to one consumer only, and unlinks it once', () => withStore(open, async (store) => {
      await store.createConsumer(consumer('billing'))
      await store.createConsumer(consumer('search'))
      assert.equal(await store.linkClient({ clientId: 'billing-web', consumerId: 'billing' }), true)
      assert.equal(await store.linkClient({ clientId: 'billing-cli', consumerId: 'billing' }), true)
      assert.equal(await store.linkClient({ clientId: 'orphan', consumerId: 'ghost' }), false)
      await assert.rejects(store.linkClient({ clientId: 'billing-web', consumerId: 'search' }), StoreConflictError)
      assert.deepEqual(await store.getClientLink('billing-web'), { clientId: 'billing-web', consumerId: 'billing' })
      assert.equal(await store.getClientLink('orphan'), null)
      assert.deepEqual((await store.listClientLinks('billing')).map((link) => link.clientId), ['billing-cli', 'billing-web'])
      assert.equal(await store.unlinkClient('billing-web'), true)
      assert.equal(await store.unlinkClient('billing-web'), false)
      assert.equal(await store.getClientLink('billing-web'), null)
    }))
  })

  describe('deleting a consumer', () => {
    it('removes its keys and client links with it, and nothing of other consumers', () => withStore(open, async (store) => {
      await store.createConsumer(consumer('billing'))
      await store.createConsumer(consumer('search'))
      await store.saveApiKey(apiKey(hex('a1'), 'billing'))
      await store.saveApiKey(apiKey(hex('b2'), 'search'))
      await store.linkClient({ clientId: 'billing-web', consumerId: 'billing' })
      await store.linkClient({ clientId: 'search-web', consumerId: 'search' })
      assert.equal(await store.deleteConsumer('billing'), true)
      assert.equal(await store.deleteConsumer('billing'), false)
      assert.equal(await store.getConsumer('billing'), null)
      assert.equal(await store.getApiKey(hex('a1')), null)
      assert.equal(await store.getClientLink('billing-web'), null)
      assert.notEqual(await store.getApiKey(hex('b2')), null)
      assert.notEqual(await store.getClientLink('search-web'), null)
      // A consumer created again under the same id starts without the old credentials.
      await store.createConsumer(consumer('billing'))
      assert.deepEqual(await store.listApiKeys('billing'), [])
    }))
  })

  describe('consumer revision and snapshot', () => {
    it('moves the revision on every change and never on a refused or empty one', () => withStore(open, async (store) => {
      let last = await store.consumerRevision()
      const moved = async (what: string): Promise<void> => {
        const now = await store.consumerRevision()
        assert.ok(now > last, `${what}: revision ${now} should be above ${last}`)
        last = now
      }
      const still = async (what: string): Promise<void> => assert.equal(await store.consumerRevision(), last, what)
      await store.createConsumer(consumer('billing'))
      await moved('create')
      await store.createConsumer(consumer('billing')).catch(() => {})
      await still('duplicate create')
      await store.updateConsumer(consumer('billing', { status: 'suspended' }))
      await moved('suspend')
      await store.saveApiKey(apiKey(hex('a1'), 'billing'))
      await moved('add key')
      await store.saveApiKey(apiKey(hex('a2'), 'ghost'))
      await still('key for unknown consumer')
      await store.revokeApiKey(hex('a1'), NOW)
      await moved('revoke')
      await store.revokeApiKey(hex('a1'), NOW)
      await still('second revoke')
      await store.linkClient({ clientId: 'web', consumerId: 'billing' })
      await moved('link')
      await store.unlinkClient('web')
      await moved('unlink')
      await store.deleteConsumer('billing')
      await moved('delete')
      await store.deleteConsumer('billing')
      await still('second delete')
    }))

    it('snapshots every consumer, only unrevoked keys, and every client link at the current revision', () => withStore(open, async (store) => {
      assert.deepEqual(await store.consumerSnapshot(), { revision: await store.consumerRevision(), consumers: [], activeKeys: [], clientLinks: [] })
      await store.createConsumer(consumer('search'))
      await store.createConsumer(consumer('billing', { status: 'suspended' }))
      await store.saveApiKey(apiKey(hex('a1'), 'billing'))
      await store.saveApiKey(apiKey(hex('b2'), 'billing', { label: 'old' }))
      await store.saveApiKey(apiKey(hex('c3'), 'search'))
      await store.revokeApiKey(hex('b2'), NOW + 1)
      await store.linkClient({ clientId: 'search-web', consumerId: 'search' })
      const snapshot = await store.consumerSnapshot()
      assert.equal(snapshot.revision, await store.consumerRevision())
      assert.deepEqual(snapshot.consumers, [consumer('billing', { status: 'suspended' }), consumer('search')])
      const byDigest = (a: ApiKeyRecord, b: ApiKeyRecord): number => a.digest.localeCompare(b.digest)
      assert.deepEqual(snapshot.activeKeys.sort(byDigest), [apiKey(hex('a1'), 'billing'), apiKey(hex('c3'), 'search')])
      assert.deepEqual(snapshot.clientLinks, [{ clientId: 'search-web', consumerId: 'search' }])
    }))

    it('hands out copies: changing a read record changes nothing stored', () => withStore(open, async (store) => {
      await store.createConsumer(consumer('billing'))
      await store.saveApiKey(apiKey(hex('a1'), 'billing'))
      const read = await store.getConsumer('billing')
      if (read) read.status = 'suspended'
      const key = await store.getApiKey(hex('a1'))
      if (key) key.revokedAt = NOW
      const snapshot = await store.consumerSnapshot()
      snapshot.consumers[0].status = 'suspended'
      snapshot.activeKeys[0].consumerId = 'mallory'
      assert.deepEqual(await store.getConsumer('billing'), consumer('billing'))
      assert.deepEqual(await store.getApiKey(hex('a1')), apiKey(hex('a1'), 'billing'))
    }))
  })
}
