// Errors every store adapter throws for the caller's mistakes, so callers can tell them apart
// from store failures (those are GatehouseError GH_ERR_INTERNAL). They carry no catalogue code:
// the layer that called the store (admin API, key manager) decides what the client sees.

/** A record with the same key already exists: clientId, userId, jti, digest, familyId or kid. */
export class StoreConflictError extends Error {
  /** Which kind of record collided: 'client', 'user', 'access token', … */
  readonly record: string

  constructor(record: string, key?: string) {
    // Keys of records that are themselves secret-derived (refresh-token digests) are left out.
    super(key === undefined ? `${record} already exists` : `${record} "${key}" already exists`)
    this.name = 'StoreConflictError'
    this.record = record
  }
}

/** A paging argument the store cannot use: a cursor it did not issue, or a limit below 1. */
export class StoreInputError extends Error {
  constructor(message: string) {
    super(message)
    this.name = 'StoreInputError'
  }
}
