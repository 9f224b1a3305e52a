import type { DatabaseSync } from 'node:sqlite'
import { GatehouseError } from '../../core/errors/gatehouse-error.ts'

export interface Migration {
  version: number
  sql: string
}

// Numbered, append-only: a released migration is never edited; a change is a new entry.
// Lists (scopes, URIs, grant types) are JSON text. Times are epoch seconds as given by the caller.
export const MIGRATIONS: readonly Migration[] = [
  {
    version: 1,
    sql: `
      CREATE TABLE clients (
        client_id TEXT PRIMARY KEY, secret_digest TEXT, client_type TEXT NOT NULL, client_profile TEXT NOT NULL,
        client_name TEXT NOT NULL, client_desc TEXT NOT NULL, scopes TEXT NOT NULL, default_scopes TEXT NOT NULL,
        redirect_uris TEXT NOT NULL, grant_types TEXT NOT NULL, auth_method TEXT NOT NULL, jwks TEXT,
        access_token_ttl INTEGER, owner_id TEXT NOT NULL, created_at INTEGER NOT NULL, updated_at INTEGER NOT NULL
      );
      CREATE TABLE users (
        user_id TEXT PRIMARY KEY, password_hash TEXT NOT NULL, scopes TEXT NOT NULL, created_at INTEGER NOT NULL
      );
      CREATE TABLE access_tokens (
        jti TEXT PRIMARY KEY, client_id TEXT NOT NULL, subject TEXT NOT NULL, scopes TEXT NOT NULL, family_id TEXT,
        issued_at INTEGER NOT NULL, expires_at INTEGER NOT NULL, revoked INTEGER NOT NULL
      );
      CREATE INDEX access_tokens_by_family ON access_tokens (family_id);
      CREATE INDEX access_tokens_by_expiry ON access_tokens (expires_at);
      CREATE TABLE refresh_tokens (
        digest TEXT PRIMARY KEY, family_id TEXT NOT NULL, client_id TEXT NOT NULL, subject TEXT NOT NULL,
        scopes TEXT NOT NULL, issued_at INTEGER NOT NULL, expires_at INTEGER NOT NULL, used_at INTEGER
      );
      CREATE INDEX refresh_tokens_by_family ON refresh_tokens (family_id);
      CREATE INDEX refresh_tokens_by_expiry ON refresh_tokens (expires_at);
      CREATE TABLE refresh_families (
        family_id TEXT PRIMARY KEY, client_id TEXT NOT NULL, subject TEXT NOT NULL, revoked_at INTEGER
      );
      CREATE TABLE seen_jtis (
        issuer TEXT NOT NULL, jti TEXT NOT NULL, expires_at INTEGER NOT NULL, PRIMARY KEY (issuer, jti)
      ) WITHOUT ROWID;
      CREATE INDEX seen_jtis_by_expiry ON seen_jtis (expires_at);
      CREATE TABLE signing_keys (
        kid TEXT PRIMARY KEY, algorithm TEXT NOT NULL, private_key_pem TEXT NOT NULL, public_jwk TEXT NOT NULL,
        created_at INTEGER NOT NULL, activates_at INTEGER NOT NULL, retired_at INTEGER, expires_at INTEGER
      );
    `,
  },
  {
    // Consumers and their credentials. API keys are kept by digest only (the primary key, so a
    // lookup is one index probe). Triggers keep one revision number moving with every change, so
    // gateways sharing the file can poll one row instead of re-reading the tables; deleting a
    // consumer takes its keys and client links with it, whoever deletes it.
    version: 2,
    sql: `
      CREATE TABLE consumers (
        consumer_id TEXT PRIMARY KEY, name TEXT NOT NULL, status TEXT NOT NULL, created_at INTEGER NOT NULL,
        updated_at INTEGER NOT NULL
      );
      CREATE TABLE api_keys (
        digest TEXT PRIMARY KEY, consumer_id TEXT NOT NULL, label TEXT NOT NULL, created_at INTEGER NOT NULL,
        revoked_at INTEGER
      ) WITHOUT ROWID;
      CREATE INDEX api_keys_by_consumer ON api_keys (consumer_id);
      CREATE TABLE consumer_clients (client_id TEXT PRIMARY KEY, consumer_id TEXT NOT NULL) WITHOUT ROWID;
      CREATE INDEX consumer_clients_by_consumer ON consumer_clients (consumer_id);
      CREATE TABLE consumer_revision (id INTEGER PRIMARY KEY CHECK (id = 1), revision INTEGER NOT NULL);
      INSERT INTO consumer_revision (id, revision) VALUES (1, 0);
      CREATE TRIGGER consumers_deleted AFTER DELETE ON consumers BEGIN
        DELETE FROM api_keys WHERE consumer_id = old.consumer_id;
        DELETE FROM consumer_clients WHERE consumer_id = old.consumer_id;
        UPDATE consumer_revision SET revision = revision + 1;
      END;
      CREATE TRIGGER consumers_inserted AFTER INSERT ON consumers BEGIN UPDATE consumer_revision SET revision = revision + 1; END;
      CREATE TRIGGER consumers_updated AFTER UPDATE ON consumers BEGIN UPDATE consumer_revision SET revision = revision + 1; END;
      CREATE TRIGGER api_keys_inserted AFTER INSERT ON api_keys BEGIN UPDATE consumer_revision SET revision = revision + 1; END;
      CREATE TRIGGER api_keys_updated AFTER UPDATE ON api_keys BEGIN UPDATE consumer_revision SET revision = revision + 1; END;
      CREATE TRIGGER api_keys_deleted AFTER DELETE ON api_keys BEGIN UPDATE consumer_revision SET revision = revision + 1; END;
      CREATE TRIGGER consumer_clients_inserted AFTER INSERT ON consumer_clients BEGIN UPDATE consumer_revision SET revision = revision + 1; END;
      CREATE TRIGGER consumer_clients_updated AFTER UPDATE ON consumer_clients BEGIN UPDATE consumer_revision SET revision = revision + 1; END;
      CREATE TRIGGER consumer_clients_deleted AFTER DELETE ON consumer_clients BEGIN UPDATE consumer_revision SET revision = revision + 1; END;
    `,
  },
  {
    // Client secret rotation: the secret before the last rotation, by digest, and when it stops
    // being accepted. Existing clients have none.
    version: 3,
    sql: `
      ALTER TABLE clients ADD COLUMN previous_secret_digest TEXT;
      ALTER TABLE clients ADD COLUMN previous_secret_expires_at INTEGER;
    `,
  },
  {
    // A revision number that moves with every change to the clients table, whoever makes it, so
    // a process that keeps clients in memory can tell a client change from the token writes of
    // other processes sharing the file (both move SQLite's data_version).
    version: 4,
    sql: `
      CREATE TABLE client_revision (id INTEGER PRIMARY KEY CHECK (id = 1), revision INTEGER NOT NULL);
      INSERT INTO client_revision (id, revision) VALUES (1, 0);
      CREATE TRIGGER clients_inserted AFTER INSERT ON clients BEGIN UPDATE client_revision SET revision = revision + 1; END;
      CREATE TRIGGER clients_updated AFTER UPDATE ON clients BEGIN UPDATE client_revision SET revision = revision + 1; END;
      CREATE TRIGGER clients_deleted AFTER DELETE ON clients BEGIN UPDATE client_revision SET revision = revision + 1; END;
    `,
  },
]

/**
 * Brings the file up to the newest migration in one IMMEDIATE transaction: the write lock is taken
 * before the version is read, so two processes opening the same file at once apply each migration
 * once, and a migration that fails leaves the file exactly as it was.
 */
export function applyMigrations(db: DatabaseSync, migrations: readonly Migration[] = MIGRATIONS): number {
  db.exec('BEGIN IMMEDIATE')
  try {
    db.exec('CREATE TABLE IF NOT EXISTS schema_version (version INTEGER PRIMARY KEY, applied_at INTEGER NOT NULL)')
    const row = db.prepare('SELECT max(version) AS version FROM schema_version').get()
    const current = Number(row?.version ?? 0)
    const newest = migrations.length === 0 ? 0 : migrations[migrations.length - 1].version
    if (current > newest) {
      throw new GatehouseError('GH_ERR_INTERNAL', `store open failed: the file has schema version ${current}, newer than the ${newest} this Gatehouse knows`)
    }
    const record = db.prepare('INSERT INTO schema_version (version, applied_at) VALUES (?, ?)')
    for (const migration of migrations) {
      if (migration.version <= current) continue
      db.exec(migration.sql)
      record.run(migration.version, Math.floor(Date.now() / 1000))
    }
    db.exec('COMMIT')
    return newest
  } catch (error) {
    if (db.isTransaction) db.exec('ROLLBACK')
    throw error
  }
}
