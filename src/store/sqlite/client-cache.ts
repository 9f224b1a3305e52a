// Client records by id, kept between lookups: every token request authenticates its client, and
// reading and mapping the row costs several times the check that it is still current. That check
// has two steps. SQLite's `PRAGMA data_version` changes whenever another connection (another
// process sharing the file) commits anything; only then is the clients table's revision read, a
// number its triggers move with every insert, update and delete, whoever writes. A new revision
// drops the whole cache, since any client may have changed; token writes of other workers move
// data_version but not the revision, and leave the cache as it is. This connection's own client
// writes do not change data_version, so they drop their entry here.
import type { ClientRecord } from '../ports.ts'

/** Enough for every client of a large deployment; past it the oldest entry makes room. */
export const CLIENT_CACHE_ENTRIES = 10_000

export class ClientCache {
  readonly maxEntries: number
  readonly #entries = new Map<string, ClientRecord>()
  #dataVersion: unknown = undefined
  #revision: unknown = undefined

  constructor(maxEntries = CLIENT_CACHE_ENTRIES) {
    this.maxEntries = maxEntries
  }

  get size(): number {
    return this.#entries.size
  }

  /**
   * Call with the connection's current data_version before a lookup. When it moved, `revision`
   * reads the clients' revision, and a new revision empties the cache.
   */
  sync(dataVersion: unknown, revision: () => unknown): void {
    if (dataVersion === this.#dataVersion) return
    this.#dataVersion = dataVersion
    const current = revision()
    if (current === this.#revision) return
    this.#entries.clear()
    this.#revision = current
  }

  /** A copy of the cached record: like every store read, the caller may change it freely. */
  get(clientId: string): ClientRecord | undefined {
    const record = this.#entries.get(clientId)
    return record === undefined ? undefined : copyClient(record)
  }

  /** Keeps `record` (the caller must not change it afterwards) and returns a copy of it. */
  set(record: ClientRecord): ClientRecord {
    const entries = this.#entries
    if (entries.size >= this.maxEntries) entries.delete(entries.keys().next().value as string)
    entries.set(record.clientId, record)
    return copyClient(record)
  }

  /** After this connection wrote the client. */
  forget(clientId: string): void {
    this.#entries.delete(clientId)
  }

  /** After this connection wrote several clients at once. */
  forgetAll(): void {
    this.#entries.clear()
  }
}

/** Copying a record costs a small fraction of reading and mapping its row. */
function copyClient(record: ClientRecord): ClientRecord {
  return {
    ...record,
    scopes: [...record.scopes],
    defaultScopes: [...record.defaultScopes],
    redirectUris: [...record.redirectUris],
    grantTypes: [...record.grantTypes],
  }
}
