import type { DatabaseSync } from 'node:sqlite'
import { GatehouseError } from '../../core/errors/gatehouse-error.ts'
import { StoreConflictError } from '../errors.ts'
import type {
  AccessTokenRecord, ApiKeyRecord, ClientRecord, ClientSecretFields, ClientUpdateOptions, ConsumerClientRecord, ConsumerRecord, ConsumerSnapshot, Page, RefreshFamilyRecord,
  RefreshTokenRecord, SigningKeyRecord, Store, UserRecord,
} from '../ports.ts'
import { ClientCache } from './client-cache.ts'
import * as consumerRows from './consumer-rows.ts'
import { describeFailure, runOperation } from './failure.ts'
import { openDatabase } from './open-database.ts'
import { checkLimit, decodeCursor, encodeCursor } from '../paging.ts'
import * as rows from './rows.ts'
import { prepareStatements, type Statements } from './statements.ts'
import { WalSync } from './wal-sync.ts'
import { WriteBatcher, type WriteBatchStats } from './write-batcher.ts'

/** Opens the store at `path` (a file, created 0600 with its parent folders, or `:memory:`). */
export async function openSqliteStore(path: string): Promise<SqliteStore> {
  const db = openDatabase(path)
  let walSync: WalSync | null = null
  try {
    walSync = path === ':memory:' ? null : WalSync.open(path)
    return new SqliteStore(db, prepareStatements(db), walSync)
  } catch (error) {
    await walSync?.close()
    db.close()
    throw new GatehouseError('GH_ERR_INTERNAL', `store open failed for ${path}: ${describeFailure(error)}`, { cause: error })
  }
}

/**
 * The embedded default store. node:sqlite is synchronous, so each statement runs to completion in
 * one call; the atomic operations are also single statements, which keeps them atomic between
 * processes sharing the file (cluster workers), under SQLite's file lock.
 *
 * The writes every token request makes (access-token records, refresh tokens, families, the
 * used mark, remembered JWT ids) go through a WriteBatcher: those of one event-loop turn share
 * one transaction, whose WAL is synced off the event loop (WalSync), and each resolves only once
 * durable. The other operations on those records run after the pending writes have settled, so
 * they see them.
 */
export class SqliteStore implements Store {
  readonly kind = 'sqlite'
  readonly #db: DatabaseSync
  readonly #batcher: WriteBatcher
  readonly #walSync: WalSync | null
  readonly #clients = new ClientCache()
  // Bound once: a closure made per getClient would be an allocation per token request.
  readonly #readClientRevision = (): unknown => this.#openStatements('getClient').selectClientRevision.get()?.revision
  #statements: Statements | null
  #closing: Promise<void> | null = null

  constructor(db: DatabaseSync, statements: Statements, walSync: WalSync | null) {
    this.#db = db
    this.#statements = statements
    this.#walSync = walSync
    this.#batcher = new WriteBatcher(db, walSync)
  }

  /** How the token writes were grouped into transactions (for tests and diagnosis). */
  get writeBatchStats(): WriteBatchStats {
    return this.#batcher.stats
  }

  async createClient(client: ClientRecord): Promise<void> {
    this.#clients.forget(client.clientId)
    this.#run('createClient', (s) => {
      if (s.insertClient.run(rows.clientParams(client)).changes === 0) throw new StoreConflictError('client', client.clientId)
    })
  }

  async getClient(clientId: string): Promise<ClientRecord | null> {
    return this.#run('getClient', (s) => {
      const cache = this.#clients
      cache.sync((s.dataVersion.get() as { data_version: unknown }).data_version, this.#readClientRevision)
      const cached = cache.get(clientId)
      if (cached !== undefined) return cached
      const found = mapOrNull(s.selectClient.get(clientId), rows.clientFromRow)
      // Unknown ids are not kept: anyone can send as many of those as they like.
      return found === null ? null : cache.set(found)
    })
  }

  async updateClient(client: ClientRecord, options: ClientUpdateOptions = {}): Promise<boolean> {
    const condition = { checkSecret: options.ifSecretDigest === undefined ? 0 : 1, ifSecretDigest: options.ifSecretDigest ?? null }
    this.#clients.forget(client.clientId)
    return this.#run('updateClient', (s) => s.updateClient.run({ ...rows.clientParams(client), ...condition }).changes > 0)
  }

  async swapClientSecret(clientId: string, ifSecretDigest: string | null, secret: ClientSecretFields): Promise<boolean> {
    const params = { clientId, ifSecretDigest, ...rows.clientSecretParams(secret) }
    this.#clients.forget(clientId)
    return this.#run('swapClientSecret', (s) => s.swapClientSecret.run(params).changes > 0)
  }

  async deleteClient(clientId: string): Promise<boolean> {
    this.#clients.forget(clientId)
    return this.#run('deleteClient', (s) => s.deleteClient.run(clientId).changes > 0)
  }

  async forgetEndedSecrets(now: number): Promise<number> {
    return this.#run('forgetEndedSecrets', (s) => {
      const changed = Number(s.forgetEndedSecrets.run(now).changes)
      // Any number of clients may have changed; this connection's writes do not move data_version.
      if (changed > 0) this.#clients.forgetAll()
      return changed
    })
  }

  async listClients(options: { limit: number; cursor?: string | null }): Promise<Page<ClientRecord>> {
    return this.#run('listClients', (s) => {
      checkLimit(options.limit)
      const after = decodeCursor(options.cursor)
      // One row more than asked says whether a next page exists, so the last page has next: null.
      const found = after === null ? s.listClientsFirst.all(options.limit + 1) : s.listClientsAfter.all(after, options.limit + 1)
      const items = found.slice(0, options.limit).map(rows.clientFromRow)
      return { items, next: found.length > options.limit ? encodeCursor(items[items.length - 1].clientId) : null }
    })
  }

  async createUser(user: UserRecord): Promise<void> {
    this.#run('createUser', (s) => {
      if (s.insertUser.run(rows.userParams(user)).changes === 0) throw new StoreConflictError('user', user.userId)
    })
  }

  async getUser(userId: string): Promise<UserRecord | null> {
    return this.#run('getUser', (s) => mapOrNull(s.selectUser.get(userId), rows.userFromRow))
  }

  async deleteUser(userId: string): Promise<boolean> {
    return this.#run('deleteUser', (s) => s.deleteUser.run(userId).changes > 0)
  }

  async saveAccessToken(token: AccessTokenRecord): Promise<void> {
    const changes = await this.#write('saveAccessToken', accessTokenKeys(token), (s) => s.insertAccessToken.run(rows.accessTokenParams(token)).changes)
    if (changes === 0) throw new StoreConflictError('access token', token.jti)
  }

  async getAccessToken(jti: string): Promise<AccessTokenRecord | null> {
    return this.#runAfterQueuedWrites('getAccessToken', accessKey(jti), (s) => mapOrNull(s.selectAccessToken.get(jti), rows.accessTokenFromRow))
  }

  async revokeAccessToken(jti: string): Promise<boolean> {
    return this.#runAfterQueuedWrites('revokeAccessToken', accessKey(jti), (s) => s.revokeAccessToken.run(jti).changes > 0)
  }

  async revokeAccessTokensOfFamily(familyId: string): Promise<number> {
    return this.#runAfterQueuedWrites('revokeAccessTokensOfFamily', familyTokensKey(familyId), (s) => Number(s.revokeAccessTokensOfFamily.run(familyId).changes))
  }

  async saveRefreshToken(token: RefreshTokenRecord): Promise<void> {
    const changes = await this.#write('saveRefreshToken', [refreshKey(token.digest)], (s) => s.insertRefreshToken.run(rows.refreshTokenParams(token)).changes)
    if (changes === 0) throw new StoreConflictError('refresh token')
  }

  async getRefreshToken(digest: string): Promise<RefreshTokenRecord | null> {
    return this.#runAfterQueuedWrites('getRefreshToken', refreshKey(digest), (s) => mapOrNull(s.selectRefreshToken.get(digest), rows.refreshTokenFromRow))
  }

  async markRefreshTokenUsed(digest: string, at: number): Promise<boolean> {
    // Still one statement, so still atomic: within a batch a second mark of the same token changes nothing.
    return await this.#write('markRefreshTokenUsed', [refreshKey(digest)], (s) => s.markRefreshTokenUsed.run(at, digest).changes) > 0
  }

  async createFamily(family: RefreshFamilyRecord): Promise<void> {
    const changes = await this.#write('createFamily', [familyKey(family.familyId)], (s) => s.insertFamily.run(rows.familyParams(family)).changes)
    if (changes === 0) throw new StoreConflictError('refresh family', family.familyId)
  }

  async getFamily(familyId: string): Promise<RefreshFamilyRecord | null> {
    return this.#runAfterQueuedWrites('getFamily', familyKey(familyId), (s) => mapOrNull(s.selectFamily.get(familyId), rows.familyFromRow))
  }

  async revokeFamily(familyId: string, at: number): Promise<boolean> {
    return this.#runAfterQueuedWrites('revokeFamily', familyKey(familyId), (s) => s.revokeFamily.run(at, familyId).changes > 0)
  }

  async rememberJti(issuer: string, jti: string, expiresAt: number): Promise<boolean> {
    return await this.#write('rememberJti', [], (s) => s.rememberJti.run(issuer, jti, expiresAt).changes) > 0
  }

  async purgeExpired(now: number): Promise<number> {
    // Spans whole tables, so it waits for any queued write.
    return this.#runAfterQueuedWrites('purgeExpired', null, (s) => {
      this.#db.exec('BEGIN IMMEDIATE')
      try {
        const purged = [s.purgeAccessTokens, s.purgeRefreshTokens, s.purgeJtis]
          .reduce((sum, statement) => sum + Number(statement.run(now).changes), 0)
        this.#db.exec('COMMIT')
        return purged
      } catch (error) {
        if (this.#db.isTransaction) this.#db.exec('ROLLBACK')
        throw error
      }
    })
  }

  async saveKey(key: SigningKeyRecord): Promise<void> {
    this.#run('saveKey', (s) => {
      if (s.insertKey.run(rows.keyParams(key)).changes === 0) throw new StoreConflictError('signing key', key.kid)
    })
  }

  async listKeys(): Promise<SigningKeyRecord[]> {
    return this.#run('listKeys', (s) => s.listKeys.all().map(rows.keyFromRow))
  }

  async updateKey(key: SigningKeyRecord): Promise<boolean> {
    return this.#run('updateKey', (s) => s.updateKey.run(rows.keyParams(key)).changes > 0)
  }

  async deleteKey(kid: string): Promise<boolean> {
    return this.#run('deleteKey', (s) => s.deleteKey.run(kid).changes > 0)
  }

  async createConsumer(consumer: ConsumerRecord): Promise<void> {
    this.#run('createConsumer', (s) => {
      if (s.insertConsumer.run(consumerRows.consumerParams(consumer)).changes === 0) throw new StoreConflictError('consumer', consumer.consumerId)
    })
  }

  async getConsumer(consumerId: string): Promise<ConsumerRecord | null> {
    return this.#run('getConsumer', (s) => mapOrNull(s.selectConsumer.get(consumerId), consumerRows.consumerFromRow))
  }

  async updateConsumer(consumer: ConsumerRecord): Promise<boolean> {
    return this.#run('updateConsumer', (s) => s.updateConsumer.run(consumerRows.consumerParams(consumer)).changes > 0)
  }

  async deleteConsumer(consumerId: string): Promise<boolean> {
    // The consumers_deleted trigger removes the keys and links within this one statement.
    return this.#run('deleteConsumer', (s) => s.deleteConsumer.run(consumerId).changes > 0)
  }

  async listConsumers(options: { limit: number; cursor?: string | null }): Promise<Page<ConsumerRecord>> {
    return this.#run('listConsumers', (s) => {
      checkLimit(options.limit, 'listConsumers')
      const after = decodeCursor(options.cursor, 'listConsumers')
      const found = after === null ? s.listConsumersFirst.all(options.limit + 1) : s.listConsumersAfter.all(after, options.limit + 1)
      const items = found.slice(0, options.limit).map(consumerRows.consumerFromRow)
      return { items, next: found.length > options.limit ? encodeCursor(items[items.length - 1].consumerId) : null }
    })
  }

  async saveApiKey(key: ApiKeyRecord): Promise<boolean> {
    return this.#run('saveApiKey', (s) => {
      if (s.insertApiKey.run(consumerRows.apiKeyParams(key)).changes > 0) return true
      // Nothing inserted: the digest was taken, or the consumer does not exist.
      if (s.selectApiKey.get(key.digest) !== undefined) throw new StoreConflictError('api key')
      return false
    })
  }

  async getApiKey(digest: string): Promise<ApiKeyRecord | null> {
    return this.#run('getApiKey', (s) => mapOrNull(s.selectApiKey.get(digest), consumerRows.apiKeyFromRow))
  }

  async listApiKeys(consumerId: string): Promise<ApiKeyRecord[]> {
    return this.#run('listApiKeys', (s) => s.listApiKeys.all(consumerId).map(consumerRows.apiKeyFromRow))
  }

  async revokeApiKey(digest: string, at: number): Promise<boolean> {
    return this.#run('revokeApiKey', (s) => s.revokeApiKey.run(at, digest).changes > 0)
  }

  async linkClient(link: ConsumerClientRecord): Promise<boolean> {
    return this.#run('linkClient', (s) => {
      if (s.insertClientLink.run(consumerRows.clientLinkParams(link)).changes > 0) return true
      if (s.selectClientLink.get(link.clientId) !== undefined) throw new StoreConflictError('client link', link.clientId)
      return false
    })
  }

  async getClientLink(clientId: string): Promise<ConsumerClientRecord | null> {
    return this.#run('getClientLink', (s) => mapOrNull(s.selectClientLink.get(clientId), consumerRows.clientLinkFromRow))
  }

  async unlinkClient(clientId: string): Promise<boolean> {
    return this.#run('unlinkClient', (s) => s.deleteClientLink.run(clientId).changes > 0)
  }

  async listClientLinks(consumerId: string): Promise<ConsumerClientRecord[]> {
    return this.#run('listClientLinks', (s) => s.listClientLinks.all(consumerId).map(consumerRows.clientLinkFromRow))
  }

  async consumerRevision(): Promise<number> {
    return this.#run('consumerRevision', (s) => Number(s.selectConsumerRevision.get()?.revision ?? 0))
  }

  async consumerSnapshot(): Promise<ConsumerSnapshot> {
    return this.#run('consumerSnapshot', (s) => {
      // One read transaction: in WAL mode it sees a single committed state, so a consumer deleted
      // by another process between two SELECTs cannot leave its keys behind in the snapshot.
      this.#db.exec('BEGIN')
      try {
        const snapshot: ConsumerSnapshot = {
          revision: Number(s.selectConsumerRevision.get()?.revision ?? 0),
          consumers: s.snapshotConsumers.all().map(consumerRows.consumerFromRow),
          activeKeys: s.snapshotActiveKeys.all().map(consumerRows.apiKeyFromRow),
          clientLinks: s.snapshotClientLinks.all().map(consumerRows.clientLinkFromRow),
        }
        this.#db.exec('COMMIT')
        return snapshot
      } catch (error) {
        if (this.#db.isTransaction) this.#db.exec('ROLLBACK')
        throw error
      }
    })
  }

  close(): Promise<void> {
    this.#closing ??= this.#close()
    return this.#closing
  }

  async #close(): Promise<void> {
    // Queued writes commit and become durable (and what waited for them runs) before the file
    // closes: their callers are waiting for that.
    await this.#batcher.settleAll()
    this.#statements = null
    await this.#walSync?.close()
    this.#db.close()
  }

  #run<T>(operation: string, work: (statements: Statements) => T): T {
    return runOperation(operation, () => work(this.#openStatements(operation)))
  }

  /** Queues a token write for the next group commit; resolves with the rows it changed, once committed. */
  #write(operation: string, keys: readonly string[], work: (statements: Statements) => number | bigint): Promise<number> {
    const statements = this.#openStatements(operation)
    return this.#batcher.write(operation, keys, () => Number(work(statements)))
  }

  /** For the other operations on the batched tables: they see every queued write to `key` (null: to anything). */
  #runAfterQueuedWrites<T>(operation: string, key: string | null, work: (statements: Statements) => T): T | Promise<T> {
    this.#openStatements(operation)
    return this.#batcher.afterQueuedWrites(key, () => this.#run(operation, work))
  }

  #openStatements(operation: string): Statements {
    if (this.#statements === null) throw new GatehouseError('GH_ERR_INTERNAL', `store ${operation} failed: the sqlite store is closed`)
    return this.#statements
  }
}

// The records a queued token write touches, named for WriteBatcher: an operation on one of them
// waits for the queued write; one on any other record does not. The prefixes keep kinds apart.
const accessKey = (jti: string): string => `access:${jti}`
const refreshKey = (digest: string): string => `refresh:${digest}`
const familyKey = (familyId: string): string => `family:${familyId}`
const familyTokensKey = (familyId: string): string => `family-tokens:${familyId}`
/** A saved access token with a family also changes what revoking that family's access tokens finds. */
const accessTokenKeys = (token: AccessTokenRecord): string[] =>
  (token.familyId === null ? [accessKey(token.jti)] : [accessKey(token.jti), familyTokensKey(token.familyId)])

function mapOrNull<T>(row: rows.Row | undefined, map: (row: rows.Row) => T): T | null {
  return row === undefined ? null : map(row)
}
