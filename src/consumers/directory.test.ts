import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { setTimeout as sleep } from 'node:timers/promises'
import type { ConsumerConfig } from '../config/types.ts'
import { generateSecret } from '../keymanager/secrets/generate-secret.ts'
import { SecretHasher } from '../keymanager/secrets/secret-hasher.ts'
import { MemoryStore } from '../store/memory/memory-store.ts'
import type { ConsumerSnapshot } from '../store/ports.ts'
import { buildConsumerMaps } from './consumer-maps.ts'
import { ConsumerIndex, MAX_API_KEY_LENGTH } from './directory.ts'

const hasher = new SecretHasher('pepper-for-the-consumer-directory-tests')

function fileConsumer(id: string, keys: string[], overrides: Partial<ConsumerConfig> = {}): ConsumerConfig {
  return { id, name: id, status: 'active', apiKeys: keys.map((key) => ({ digest: hasher.digest(key), label: '' })), clientIds: [], ...overrides }
}

function snapshot(parts: Partial<ConsumerSnapshot>): ConsumerSnapshot {
  return { revision: 1, consumers: [], activeKeys: [], clientLinks: [], ...parts }
}

const stored = (consumerId: string, status: 'active' | 'suspended' = 'active') => ({ consumerId, name: consumerId, status, createdAt: 1, updatedAt: 1 })
const storedKey = (key: string, consumerId: string) => ({ digest: hasher.digest(key), consumerId, label: '', createdAt: 1, revokedAt: null })

async function until(check: () => boolean, timeoutMs = 3000): Promise<boolean> {
  const deadline = Date.now() + timeoutMs
  while (!check()) {
    if (Date.now() > deadline) return false
    await sleep(10)
  }
  return true
}

describe('buildConsumerMaps', () => {
  it('indexes file and store consumers by key digest and client id', () => {
    const maps = buildConsumerMaps([fileConsumer('billing', ['file-key-0000000001'], { clientIds: ['billing-web'] })], snapshot({
      consumers: [stored('search'), stored('dormant', 'suspended')],
      activeKeys: [storedKey('store-key-000000001', 'search'), storedKey('store-key-000000002', 'dormant')],
      clientLinks: [{ clientId: 'search-web', consumerId: 'search' }],
    }))
    assert.deepEqual(maps.byDigest.get(hasher.digest('file-key-0000000001')), { consumerId: 'billing', status: 'active' })
    assert.deepEqual(maps.byDigest.get(hasher.digest('store-key-000000001')), { consumerId: 'search', status: 'active' })
    assert.deepEqual(maps.byDigest.get(hasher.digest('store-key-000000002')), { consumerId: 'dormant', status: 'suspended' })
    assert.equal(maps.byClientId.get('billing-web')?.consumerId, 'billing')
    assert.equal(maps.byClientId.get('search-web')?.consumerId, 'search')
    assert.deepEqual(maps.skipped, [])
  })

  it('lets the file win over the store for a consumer id, a key and a client id, and reports each', () => {
    const maps = buildConsumerMaps([fileConsumer('billing', ['shared-key-00000001'], { clientIds: ['web'] })], snapshot({
      consumers: [stored('billing', 'suspended'), stored('search')],
      activeKeys: [storedKey('store-only-0000001', 'billing'), storedKey('shared-key-00000001', 'search')],
      clientLinks: [{ clientId: 'web', consumerId: 'search' }],
    }))
    assert.equal(maps.byDigest.get(hasher.digest('store-only-0000001')), undefined, 'the ignored store consumer brings no keys')
    assert.equal(maps.byDigest.get(hasher.digest('shared-key-00000001'))?.consumerId, 'billing')
    assert.equal(maps.byClientId.get('web')?.consumerId, 'billing')
    assert.equal(maps.skipped.length, 3)
    assert.ok(maps.skipped.every((message) => !message.includes(hasher.digest('shared-key-00000001'))), 'no digest in a message')
  })

  it('ignores store consumers whose id could not go into a header, and treats an unknown status as suspended', () => {
    const maps = buildConsumerMaps([], snapshot({
      consumers: [stored('evil\r\nX-Admin: 1'), { ...stored('odd'), status: 'frozen' as 'active' }],
      activeKeys: [storedKey('evil-key-000000001', 'evil\r\nX-Admin: 1'), storedKey('odd-key-0000000001', 'odd')],
    }))
    assert.equal(maps.byDigest.get(hasher.digest('evil-key-000000001')), undefined)
    assert.equal(maps.byDigest.get(hasher.digest('odd-key-0000000001'))?.status, 'suspended')
    assert.equal(maps.skipped.length, 1)
  })
})

describe('ConsumerIndex', () => {
  it('finds a key by digest, refuses over-long keys without digesting them, and finds client ids', async () => {
    const key = generateSecret()
    const index = new ConsumerIndex({ hasher, fromConfig: [fileConsumer('billing', [key], { clientIds: ['web'] })], store: null, ownsStore: false, refreshMs: 1000 })
    assert.equal(index.findByApiKey(key)?.consumerId, 'billing')
    assert.equal(index.findByApiKey(generateSecret()), undefined)
    assert.equal(index.findByApiKey('x'.repeat(MAX_API_KEY_LENGTH + 1)), undefined)
    assert.equal(index.findByClientId('web')?.consumerId, 'billing')
    assert.equal(await index.refresh(), false, 'nothing to refresh without a store')
    await index.stop()
  })

  it('polls the store on its own and picks up a new key within the refresh interval, reading the snapshot only when the revision moved', async () => {
    const store = new MemoryStore()
    await store.createConsumer(stored('search'))
    const index = new ConsumerIndex({ hasher, fromConfig: [], store, ownsStore: true, refreshMs: 50 })
    try {
      assert.equal(await index.refresh(), true)
      assert.equal(await index.refresh(), false, 'unchanged revision: no new snapshot')
      const key = generateSecret()
      await store.saveApiKey(storedKey(key, 'search'))
      assert.ok(await until(() => index.findByApiKey(key) !== undefined), 'the timer refreshed the index')
      await store.revokeApiKey(hasher.digest(key), 2)
      assert.ok(await until(() => index.findByApiKey(key) === undefined), 'the revocation arrived')
    } finally {
      await index.stop()
    }
    await assert.rejects(store.consumerRevision(), /closed/, 'an owned store is closed on stop')
  })

  it('keeps the last state when the store fails, logs once, and logs the recovery', async () => {
    const store = new MemoryStore()
    await store.createConsumer(stored('search'))
    const key = generateSecret()
    await store.saveApiKey(storedKey(key, 'search'))
    const logged: string[] = []
    const index = new ConsumerIndex({ hasher, fromConfig: [], store, ownsStore: false, refreshMs: 60_000, log: (event) => logged.push(event) })
    await index.refresh()
    await store.close()
    assert.equal(await index.refresh(), false)
    assert.equal(await index.refresh(), false)
    assert.equal(index.findByApiKey(key)?.consumerId, 'search', 'the known key still works')
    assert.deepEqual(logged, ['consumer store refresh failed; the last known consumers and keys stay in use'])
    await index.stop()
  })

  it('fails the first refresh when the store cannot be read, so a start or reload reports it', async () => {
    const store = new MemoryStore()
    await store.close()
    const index = new ConsumerIndex({ hasher, fromConfig: [], store, ownsStore: false, refreshMs: 60_000 })
    await assert.rejects(index.refresh(), { code: 'GH_ERR_INTERNAL' })
    await index.stop()
  })

  it('stops polling on stop() and keeps answering from the last state', async () => {
    const store = new MemoryStore()
    await store.createConsumer(stored('search'))
    const index = new ConsumerIndex({ hasher, fromConfig: [], store, ownsStore: false, refreshMs: 20 })
    await index.refresh()
    await index.stop()
    const key = generateSecret()
    await store.saveApiKey(storedKey(key, 'search'))
    await sleep(100)
    assert.equal(index.findByApiKey(key), undefined)
    assert.equal(await index.refresh(), false)
    await store.close()
  })
})
