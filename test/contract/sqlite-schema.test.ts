import assert from 'node:assert/strict'
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { DatabaseSync } from 'node:sqlite'
import { after, describe, it } from 'node:test'
import { GatehouseError } from '../../src/core/errors/gatehouse-error.ts'
import { openStore } from '../../src/store/index.ts'
import { applyMigrations, MIGRATIONS } from '../../src/store/sqlite/migrations.ts'
import { client } from './store-fixtures.ts'

const folder = mkdtempSync(join(tmpdir(), 'gatehouse-sqlite-schema-'))
after(() => rmSync(folder, { recursive: true, force: true }))
let files = 0
const freshPath = (): string => join(folder, `schema-${++files}.db`)

function versions(path: string): number[] {
  const db = new DatabaseSync(path)
  try {
    return db.prepare('SELECT version FROM schema_version ORDER BY version').all().map((row) => Number(row.version))
  } finally {
    db.close()
  }
}

function isInternal(pattern: RegExp): (error: unknown) => boolean {
  return (error) => {
    assert.ok(error instanceof GatehouseError, String(error))
    assert.equal(error.code, 'GH_ERR_INTERNAL')
    assert.match(error.message, pattern)
    return true
  }
}

describe('sqlite store schema', () => {
  it('records each migration once in schema_version, also after reopening', async () => {
    const path = freshPath()
    await (await openStore({ type: 'sqlite', path })).close()
    await (await openStore({ type: 'sqlite', path })).close()
    assert.deepEqual(versions(path), MIGRATIONS.map((migration) => migration.version))
  })

  it('applies a later migration on top of an existing file, keeping the data', async () => {
    const path = freshPath()
    const store = await openStore({ type: 'sqlite', path })
    await store.createClient(client('kept'))
    await store.close()
    const next = MIGRATIONS.length + 1
    const withNote = [...MIGRATIONS, { version: next, sql: 'ALTER TABLE clients ADD COLUMN note TEXT' }]
    const db = new DatabaseSync(path)
    try {
      assert.equal(applyMigrations(db, withNote), next)
      assert.equal(applyMigrations(db, withNote), next, 'a second run applies nothing')
      assert.deepEqual(db.prepare('SELECT client_id AS id, note FROM clients').all().map((row) => ({ ...row })), [{ id: 'kept', note: null }])
    } finally {
      db.close()
    }
    assert.deepEqual(versions(path), withNote.map((migration) => migration.version))
  })

  it('KEY-07: upgrades a file from before secret rotation; its clients have no previous secret', async () => {
    const path = freshPath()
    const db = new DatabaseSync(path)
    try {
      applyMigrations(db, MIGRATIONS.filter((migration) => migration.version <= 2))
      db.prepare(`INSERT INTO clients (client_id, secret_digest, client_type, client_profile, client_name, client_desc, scopes,
        default_scopes, redirect_uris, grant_types, auth_method, jwks, access_token_ttl, owner_id, created_at, updated_at)
        VALUES ('old', ?, 'confidential', 'service', 'Old', '', '["read"]', '["read"]', '[]', '["client_credentials"]',
        'client_secret_basic', NULL, NULL, 'owner', 1, 1)`).run('ab'.repeat(32))
    } finally {
      db.close()
    }
    const store = await openStore({ type: 'sqlite', path })
    try {
      const upgraded = await store.getClient('old')
      assert.deepEqual([upgraded?.secretDigest, upgraded?.previousSecretDigest, upgraded?.previousSecretExpiresAt], ['ab'.repeat(32), null, null])
    } finally {
      await store.close()
    }
    assert.deepEqual(versions(path), MIGRATIONS.map((migration) => migration.version))
  })

  it('rolls a failing migration back completely, leaving the version unchanged', async () => {
    const path = freshPath()
    await (await openStore({ type: 'sqlite', path })).close()
    const db = new DatabaseSync(path)
    const broken = { version: MIGRATIONS.length + 1, sql: 'CREATE TABLE half_done (x TEXT); SELECT * FROM no_such_table' }
    assert.throws(() => applyMigrations(db, [...MIGRATIONS, broken]), /no such table/)
    assert.equal(db.isTransaction, false)
    assert.equal(db.prepare("SELECT count(*) AS n FROM sqlite_master WHERE name = 'half_done'").get()?.n, 0)
    db.close()
    assert.deepEqual(versions(path), MIGRATIONS.map((migration) => migration.version))
  })

  it('refuses a file from a newer Gatehouse with GH_ERR_INTERNAL instead of guessing', async () => {
    const path = freshPath()
    await (await openStore({ type: 'sqlite', path })).close()
    const db = new DatabaseSync(path)
    db.prepare('INSERT INTO schema_version (version, applied_at) VALUES (?, 0)').run(MIGRATIONS.length + 5)
    db.close()
    await assert.rejects(openStore({ type: 'sqlite', path }), isInternal(/schema version \d+, newer than/))
  })

  it('refuses a file that is not a SQLite database with GH_ERR_INTERNAL naming the path', async () => {
    const path = freshPath()
    writeFileSync(path, 'this is not a database, just text long enough to fill a header page '.repeat(20))
    await assert.rejects(openStore({ type: 'sqlite', path }), isInternal(/store open failed for .*schema-\d+\.db/))
  })

  it('reports a path it cannot create as GH_ERR_INTERNAL', async () => {
    const blocker = freshPath()
    writeFileSync(blocker, 'a file where a folder is needed')
    await assert.rejects(openStore({ type: 'sqlite', path: join(blocker, 'store.db') }), isInternal(/cannot create or restrict .* to mode 0600/))
  })

  it('turns a SQLite failure during an operation into GH_ERR_INTERNAL naming it, without the arguments', async () => {
    const path = freshPath()
    const store = await openStore({ type: 'sqlite', path })
    try {
      const other = new DatabaseSync(path)
      other.exec('DROP TABLE clients')
      other.close()
      const secretish = 'argument-value-that-must-not-appear'
      await assert.rejects(store.getClient(secretish), (error: unknown) => {
        isInternal(/store getClient failed: .*clients/)(error)
        assert.ok(!(error as Error).message.includes(secretish))
        return true
      })
    } finally {
      await store.close()
    }
  })
})
