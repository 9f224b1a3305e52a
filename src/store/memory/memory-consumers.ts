import { StoreConflictError } from '../errors.ts'
import type { ApiKeyRecord, ConsumerClientRecord, ConsumerRecord, ConsumerSnapshot, Page } from '../ports.ts'
import { copyRecord } from './copy.ts'
import { checkLimit, compareUtf8, decodeCursor, encodeCursor } from '../paging.ts'

/**
 * Consumers, their API keys (by digest) and client links for the memory store. Synchronous, so
 * each call is atomic; the store checks that it is open before calling in. Every change bumps
 * the revision, as the SQLite adapter's triggers do.
 */
export class MemoryConsumers {
  readonly #consumers = new Map<string, ConsumerRecord>()
  readonly #keys = new Map<string, ApiKeyRecord>()
  readonly #links = new Map<string, ConsumerClientRecord>()
  #revision = 0

  create(consumer: ConsumerRecord): void {
    if (this.#consumers.has(consumer.consumerId)) throw new StoreConflictError('consumer', consumer.consumerId)
    this.#consumers.set(consumer.consumerId, copyRecord(consumer))
    this.#revision++
  }

  get(consumerId: string): ConsumerRecord | null {
    return copyOrNull(this.#consumers.get(consumerId))
  }

  update(consumer: ConsumerRecord): boolean {
    if (!this.#consumers.has(consumer.consumerId)) return false
    this.#consumers.set(consumer.consumerId, copyRecord(consumer))
    this.#revision++
    return true
  }

  delete(consumerId: string): boolean {
    if (!this.#consumers.delete(consumerId)) return false
    for (const [digest, key] of this.#keys) if (key.consumerId === consumerId) this.#keys.delete(digest)
    for (const [clientId, link] of this.#links) if (link.consumerId === consumerId) this.#links.delete(clientId)
    this.#revision++
    return true
  }

  list(options: { limit: number; cursor?: string | null }): Page<ConsumerRecord> {
    checkLimit(options.limit, 'listConsumers')
    const after = decodeCursor(options.cursor, 'listConsumers')
    const ids = [...this.#consumers.keys()].filter((id) => after === null || compareUtf8(id, after) > 0).sort(compareUtf8)
    const pageIds = ids.slice(0, options.limit)
    const items = pageIds.map((id) => copyRecord(this.#consumers.get(id) as ConsumerRecord))
    return { items, next: ids.length > options.limit ? encodeCursor(pageIds[pageIds.length - 1]) : null }
  }

  saveKey(key: ApiKeyRecord): boolean {
    // The digest is derived from the secret, so it stays out of the conflict message.
    if (this.#keys.has(key.digest)) throw new StoreConflictError('api key')
    if (!this.#consumers.has(key.consumerId)) return false
    this.#keys.set(key.digest, copyRecord(key))
    this.#revision++
    return true
  }

  getKey(digest: string): ApiKeyRecord | null {
    return copyOrNull(this.#keys.get(digest))
  }

  listKeys(consumerId: string): ApiKeyRecord[] {
    return [...this.#keys.values()]
      .filter((key) => key.consumerId === consumerId)
      .sort((a, b) => a.createdAt - b.createdAt || compareUtf8(a.digest, b.digest))
      .map(copyRecord)
  }

  revokeKey(digest: string, at: number): boolean {
    const key = this.#keys.get(digest)
    if (key === undefined || key.revokedAt !== null) return false
    key.revokedAt = at
    this.#revision++
    return true
  }

  link(link: ConsumerClientRecord): boolean {
    if (this.#links.has(link.clientId)) throw new StoreConflictError('client link', link.clientId)
    if (!this.#consumers.has(link.consumerId)) return false
    this.#links.set(link.clientId, copyRecord(link))
    this.#revision++
    return true
  }

  getLink(clientId: string): ConsumerClientRecord | null {
    return copyOrNull(this.#links.get(clientId))
  }

  unlink(clientId: string): boolean {
    if (!this.#links.delete(clientId)) return false
    this.#revision++
    return true
  }

  listLinks(consumerId: string): ConsumerClientRecord[] {
    return [...this.#links.values()].filter((link) => link.consumerId === consumerId).sort((a, b) => compareUtf8(a.clientId, b.clientId)).map(copyRecord)
  }

  get revision(): number {
    return this.#revision
  }

  snapshot(): ConsumerSnapshot {
    return {
      revision: this.#revision,
      consumers: [...this.#consumers.values()].sort((a, b) => compareUtf8(a.consumerId, b.consumerId)).map(copyRecord),
      activeKeys: [...this.#keys.values()].filter((key) => key.revokedAt === null).map(copyRecord),
      clientLinks: [...this.#links.values()].map(copyRecord),
    }
  }

  clear(): void {
    this.#consumers.clear()
    this.#keys.clear()
    this.#links.clear()
  }
}

function copyOrNull<T extends object>(record: T | undefined): T | null {
  return record === undefined ? null : copyRecord(record)
}
