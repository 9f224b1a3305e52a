import assert from 'node:assert/strict'
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { DatabaseSync } from 'node:sqlite'
import { after, describe, it } from 'node:test'
import { generateSecret } from '../../src/keymanager/secrets/generate-secret.ts'
import { SecretHasher } from '../../src/keymanager/secrets/secret-hasher.ts'
import { openStore } from '../../src/store/index.ts'
import { apiKey, consumer } from './contract-consumers.ts'
import { NOW } from './store-fixtures.ts'

const folder = mkdtempSync(join(tmpdir(), 'gatehouse-sqlite-consumers-'))
after(() => rmSync(folder, { recursive: true, force: true }))
let files = 0
const freshPath = (): string => join(folder, `consumers-${++files}.db`)

describe('sqlite store file: consumers', () => {
  it('KEY-01: an API key reaches the file only as its digest, never in plain text', async () => {
    const path = freshPath()
    const hasher = new SecretHasher('pepper-KEY01-consumers-never-stored-0001')
    const key = generateSecret()
    const store = await openStore({ type: 'sqlite', path })
    await store.createConsumer(consumer('billing'))
    await store.saveApiKey(apiKey(hasher.digest(key), 'billing'))
    await store.close()

    const db = new DatabaseSync(path, { readOnly: true })
    const rows = JSON.stringify(db.prepare('SELECT * FROM api_keys').all())
    db.close()
    assert.ok(rows.includes(hasher.digest(key)), 'digest stored')
    const raw = [path, `${path}-wal`].filter(existsSync).map((file) => readFileSync(file).toString('latin1')).join('')
    assert.ok(!rows.includes(key) && !raw.includes(key), 'the key itself is nowhere in the file')
  })

  it('a change made through one connection moves the revision another connection reads (CLI and gateway share the file)', async () => {
    const path = freshPath()
    const cli = await openStore({ type: 'sqlite', path })
    const gateway = await openStore({ type: 'sqlite', path })
    try {
      const before = await gateway.consumerRevision()
      await cli.createConsumer(consumer('billing'))
      await cli.saveApiKey(apiKey('a1'.repeat(32), 'billing'))
      assert.ok(await gateway.consumerRevision() > before)
      const snapshot = await gateway.consumerSnapshot()
      assert.deepEqual(snapshot.activeKeys.map((key) => key.consumerId), ['billing'])
      const seen = snapshot.revision
      await cli.revokeApiKey('a1'.repeat(32), NOW)
      assert.ok(await gateway.consumerRevision() > seen)
      assert.deepEqual((await gateway.consumerSnapshot()).activeKeys, [])
    } finally {
      await cli.close()
      await gateway.close()
    }
  })

  it('deleting a consumer with plain SQL still removes its keys and links (the cascade is a trigger)', async () => {
    const path = freshPath()
    const store = await openStore({ type: 'sqlite', path })
    await store.createConsumer(consumer('billing'))
    await store.saveApiKey(apiKey('a1'.repeat(32), 'billing'))
    await store.linkClient({ clientId: 'billing-web', consumerId: 'billing' })
    await store.close()
    const db = new DatabaseSync(path)
    db.prepare('DELETE FROM consumers WHERE consumer_id = ?').run('billing')
    const left = Number(db.prepare('SELECT (SELECT count(*) FROM api_keys) + (SELECT count(*) FROM consumer_clients) AS n').get()?.n)
    db.close()
    assert.equal(left, 0)
  })
})
