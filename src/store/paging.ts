import { StoreInputError } from './errors.ts'

// Shared by every adapter. Keyset paging by id (clientId, consumerId): the cursor is the last id of the page,
// base64url-encoded so callers treat it as opaque. Keyset (not offset) paging means deleting or
// adding records between two page requests never repeats or skips one that stayed.

export function encodeCursor(lastClientId: string): string {
  return Buffer.from(lastClientId, 'utf8').toString('base64url')
}

/** The id (clientId, consumerId) a page starts after; null for the first page. */
export function decodeCursor(cursor: string | null | undefined, operation = 'listClients'): string | null {
  if (cursor === null || cursor === undefined) return null
  const clientId = /^[A-Za-z0-9_-]+$/.test(cursor) ? Buffer.from(cursor, 'base64url').toString('utf8') : ''
  // Re-encoding must give the same text back, which refuses truncated or altered cursors.
  if (clientId === '' || encodeCursor(clientId) !== cursor) {
    throw new StoreInputError(`${operation}: cursor is not one this store issued`)
  }
  return clientId
}

export function checkLimit(limit: number, operation = 'listClients'): void {
  if (!Number.isInteger(limit) || limit < 1) {
    throw new StoreInputError(`${operation}: limit must be a whole number of at least 1, got ${String(limit)}`)
  }
}

/** SQLite's default ordering (bytes of the UTF-8 text), so every adapter pages in the same order. */
export function compareUtf8(a: string, b: string): number {
  return Buffer.compare(Buffer.from(a, 'utf8'), Buffer.from(b, 'utf8'))
}
