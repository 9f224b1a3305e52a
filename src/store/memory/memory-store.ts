import { GatehouseError } from '../../core/errors/gatehouse-error.ts'
import { StoreConflictError } from '../errors.ts'
import type {
  AccessTokenRecord, ApiKeyRecord, ClientRecord, ClientSecretFields, ClientUpdateOptions, ConsumerClientRecord, ConsumerRecord, ConsumerSnapshot, Page, RefreshFamilyRecord,
  RefreshTokenRecord, SigningKeyRecord, Store, UserRecord,
} from '../ports.ts'
import { copyRecord } from './copy.ts'
import { MemoryConsumers } from './memory-consumers.ts'
import { checkLimit, compareUtf8, decodeCursor, encodeCursor } from '../paging.ts'

/**
 * The single-node store: everything in Maps, lost on exit. It keeps the same semantics as the
 * persistent adapters. Each method does its whole check-and-set synchronously before its promise
 * settles, so no other call can interleave: that is what makes `markRefreshTokenUsed` and
 * `rememberJti` atomic here. Records go in and come out as copies.
 */
export class MemoryStore implements Store {
  readonly kind = 'memory'
  #open = true
  readonly #clients = new Map<string, ClientRecord>()
  readonly #users = new Map<string, UserRecord>()
  readonly #accessTokens = new Map<string, AccessTokenRecord>()
  readonly #refreshTokens = new Map<string, RefreshTokenRecord>()
  readonly #families = new Map<string, RefreshFamilyRecord>()
  /** issuer → jti → expiresAt; nested so no separator can make two pairs collide. */
  readonly #jtis = new Map<string, Map<string, number>>()
  readonly #keys = new Map<string, SigningKeyRecord>()
  readonly #consumers = new MemoryConsumers()

  async createClient(client: ClientRecord): Promise<void> {
    this.#check('createClient')
    if (this.#clients.has(client.clientId)) throw new StoreConflictError('client', client.clientId)
    this.#clients.set(client.clientId, copyRecord(client))
  }

  async getClient(clientId: string): Promise<ClientRecord | null> {
    this.#check('getClient')
    return copyOrNull(this.#clients.get(clientId))
  }

  async updateClient(client: ClientRecord, options: ClientUpdateOptions = {}): Promise<boolean> {
    this.#check('updateClient')
    const stored = this.#clients.get(client.clientId)
    if (stored === undefined) return false
    if (options.ifSecretDigest !== undefined && stored.secretDigest !== options.ifSecretDigest) return false
    this.#clients.set(client.clientId, copyRecord(client))
    return true
  }

  async swapClientSecret(clientId: string, ifSecretDigest: string | null, secret: ClientSecretFields): Promise<boolean> {
    this.#check('swapClientSecret')
    const stored = this.#clients.get(clientId)
    if (stored === undefined || stored.secretDigest !== ifSecretDigest) return false
    const { secretDigest, previousSecretDigest, previousSecretExpiresAt, updatedAt } = secret
    this.#clients.set(clientId, { ...stored, secretDigest, previousSecretDigest, previousSecretExpiresAt, updatedAt })
    return true
  }

  async forgetEndedSecrets(now: number): Promise<number> {
    this.#check('forgetEndedSecrets')
    let changed = 0
    for (const [clientId, stored] of this.#clients) {
      if (stored.previousSecretExpiresAt === null || stored.previousSecretExpiresAt > now) continue
      this.#clients.set(clientId, { ...stored, previousSecretDigest: null, previousSecretExpiresAt: null })
      changed++
    }
    return changed
  }

  async deleteClient(clientId: string): Promise<boolean> {
    this.#check('deleteClient')
    return this.#clients.delete(clientId)
  }

  async listClients(options: { limit: number; cursor?: string | null }): Promise<Page<ClientRecord>> {
    this.#check('listClients')
    checkLimit(options.limit)
    const after = decodeCursor(options.cursor)
    // Sorting on every call keeps writes O(1); listing is an admin operation, not a hot path.
    const ids = [...this.#clients.keys()].filter((id) => after === null || compareUtf8(id, after) > 0).sort(compareUtf8)
    const pageIds = ids.slice(0, options.limit)
    const items = pageIds.map((id) => copyRecord(this.#clients.get(id) as ClientRecord))
    const next = ids.length > options.limit ? encodeCursor(pageIds[pageIds.length - 1]) : null
    return { items, next }
  }

  async createUser(user: UserRecord): Promise<void> {
    this.#check('createUser')
    if (this.#users.has(user.userId)) throw new StoreConflictError('user', user.userId)
    this.#users.set(user.userId, copyRecord(user))
  }

  async getUser(userId: string): Promise<UserRecord | null> {
    this.#check('getUser')
    return copyOrNull(this.#users.get(userId))
  }

  async deleteUser(userId: string): Promise<boolean> {
    this.#check('deleteUser')
    return this.#users.delete(userId)
  }

  async saveAccessToken(token: AccessTokenRecord): Promise<void> {
    this.#check('saveAccessToken')
    if (this.#accessTokens.has(token.jti)) throw new StoreConflictError('access token', token.jti)
    this.#accessTokens.set(token.jti, copyRecord(token))
  }

  async getAccessToken(jti: string): Promise<AccessTokenRecord | null> {
    this.#check('getAccessToken')
    return copyOrNull(this.#accessTokens.get(jti))
  }

  async revokeAccessToken(jti: string): Promise<boolean> {
    this.#check('revokeAccessToken')
    const token = this.#accessTokens.get(jti)
    if (token === undefined || token.revoked) return false
    token.revoked = true
    return true
  }

  async revokeAccessTokensOfFamily(familyId: string): Promise<number> {
    this.#check('revokeAccessTokensOfFamily')
    let revoked = 0
    for (const token of this.#accessTokens.values()) {
      if (token.familyId !== familyId || token.revoked) continue
      token.revoked = true
      revoked++
    }
    return revoked
  }

  async saveRefreshToken(token: RefreshTokenRecord): Promise<void> {
    this.#check('saveRefreshToken')
    if (this.#refreshTokens.has(token.digest)) throw new StoreConflictError('refresh token')
    this.#refreshTokens.set(token.digest, copyRecord(token))
  }

  async getRefreshToken(digest: string): Promise<RefreshTokenRecord | null> {
    this.#check('getRefreshToken')
    return copyOrNull(this.#refreshTokens.get(digest))
  }

  async markRefreshTokenUsed(digest: string, at: number): Promise<boolean> {
    this.#check('markRefreshTokenUsed')
    const token = this.#refreshTokens.get(digest)
    if (token === undefined || token.usedAt !== null) return false
    token.usedAt = at
    return true
  }

  async createFamily(family: RefreshFamilyRecord): Promise<void> {
    this.#check('createFamily')
    if (this.#families.has(family.familyId)) throw new StoreConflictError('refresh family', family.familyId)
    this.#families.set(family.familyId, copyRecord(family))
  }

  async getFamily(familyId: string): Promise<RefreshFamilyRecord | null> {
    this.#check('getFamily')
    return copyOrNull(this.#families.get(familyId))
  }

  async revokeFamily(familyId: string, at: number): Promise<boolean> {
    this.#check('revokeFamily')
    const family = this.#families.get(familyId)
    if (family === undefined || family.revokedAt !== null) return false
    family.revokedAt = at
    return true
  }

  async rememberJti(issuer: string, jti: string, expiresAt: number): Promise<boolean> {
    this.#check('rememberJti')
    let seen = this.#jtis.get(issuer)
    if (seen === undefined) this.#jtis.set(issuer, (seen = new Map()))
    if (seen.has(jti)) return false
    seen.set(jti, expiresAt)
    return true
  }

  async purgeExpired(now: number): Promise<number> {
    this.#check('purgeExpired')
    let purged = deleteWhere(this.#accessTokens, (token) => token.expiresAt < now)
    purged += deleteWhere(this.#refreshTokens, (token) => token.expiresAt < now)
    for (const [issuer, seen] of this.#jtis) {
      purged += deleteWhere(seen, (expiresAt) => expiresAt < now)
      if (seen.size === 0) this.#jtis.delete(issuer)
    }
    return purged
  }

  async saveKey(key: SigningKeyRecord): Promise<void> {
    this.#check('saveKey')
    if (this.#keys.has(key.kid)) throw new StoreConflictError('signing key', key.kid)
    this.#keys.set(key.kid, copyRecord(key))
  }

  async listKeys(): Promise<SigningKeyRecord[]> {
    this.#check('listKeys')
    return [...this.#keys.values()].sort(oldestFirst).map(copyRecord)
  }

  async updateKey(key: SigningKeyRecord): Promise<boolean> {
    this.#check('updateKey')
    if (!this.#keys.has(key.kid)) return false
    this.#keys.set(key.kid, copyRecord(key))
    return true
  }

  async deleteKey(kid: string): Promise<boolean> {
    this.#check('deleteKey')
    return this.#keys.delete(kid)
  }

  async createConsumer(consumer: ConsumerRecord): Promise<void> {
    this.#check('createConsumer')
    this.#consumers.create(consumer)
  }

  async getConsumer(consumerId: string): Promise<ConsumerRecord | null> {
    this.#check('getConsumer')
    return this.#consumers.get(consumerId)
  }

  async updateConsumer(consumer: ConsumerRecord): Promise<boolean> {
    this.#check('updateConsumer')
    return this.#consumers.update(consumer)
  }

  async deleteConsumer(consumerId: string): Promise<boolean> {
    this.#check('deleteConsumer')
    return this.#consumers.delete(consumerId)
  }

  async listConsumers(options: { limit: number; cursor?: string | null }): Promise<Page<ConsumerRecord>> {
    this.#check('listConsumers')
    return this.#consumers.list(options)
  }

  async saveApiKey(key: ApiKeyRecord): Promise<boolean> {
    this.#check('saveApiKey')
    return this.#consumers.saveKey(key)
  }

  async getApiKey(digest: string): Promise<ApiKeyRecord | null> {
    this.#check('getApiKey')
    return this.#consumers.getKey(digest)
  }

  async listApiKeys(consumerId: string): Promise<ApiKeyRecord[]> {
    this.#check('listApiKeys')
    return this.#consumers.listKeys(consumerId)
  }

  async revokeApiKey(digest: string, at: number): Promise<boolean> {
    this.#check('revokeApiKey')
    return this.#consumers.revokeKey(digest, at)
  }

  async linkClient(link: ConsumerClientRecord): Promise<boolean> {
    this.#check('linkClient')
    return this.#consumers.link(link)
  }

  async getClientLink(clientId: string): Promise<ConsumerClientRecord | null> {
    this.#check('getClientLink')
    return this.#consumers.getLink(clientId)
  }

  async unlinkClient(clientId: string): Promise<boolean> {
    this.#check('unlinkClient')
    return this.#consumers.unlink(clientId)
  }

  async listClientLinks(consumerId: string): Promise<ConsumerClientRecord[]> {
    this.#check('listClientLinks')
    return this.#consumers.listLinks(consumerId)
  }

  async consumerRevision(): Promise<number> {
    this.#check('consumerRevision')
    return this.#consumers.revision
  }

  async consumerSnapshot(): Promise<ConsumerSnapshot> {
    this.#check('consumerSnapshot')
    return this.#consumers.snapshot()
  }

  async close(): Promise<void> {
    this.#open = false
    for (const map of [this.#clients, this.#users, this.#accessTokens, this.#refreshTokens, this.#families, this.#jtis, this.#keys]) {
      map.clear()
    }
    this.#consumers.clear()
  }

  #check(operation: string): void {
    if (!this.#open) throw new GatehouseError('GH_ERR_INTERNAL', `store ${operation} failed: the memory store is closed`)
  }
}

function copyOrNull<T extends object>(record: T | undefined): T | null {
  return record === undefined ? null : copyRecord(record)
}

function deleteWhere<V>(map: Map<string, V>, expired: (value: V) => boolean): number {
  let deleted = 0
  for (const [key, value] of map) {
    if (expired(value) && map.delete(key)) deleted++
  }
  return deleted
}

/** Keys in the order they were created (kid breaks ties), the order the key manager rotates in. */
function oldestFirst(a: SigningKeyRecord, b: SigningKeyRecord): number {
  return a.createdAt - b.createdAt || compareUtf8(a.kid, b.kid)
}
