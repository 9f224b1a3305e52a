import { createHash, timingSafeEqual } from 'node:crypto'
import type { IncomingMessage } from 'node:http'

const SCHEME = 'bearer '

function digest(value: string): Buffer {
  return createHash('sha256').update(value, 'utf8').digest()
}

/**
 * Checks `Authorization: Bearer <token>` against the configured token. Both sides are hashed
 * first, so the comparison is constant-time and takes equal-length inputs whatever the caller
 * sends: neither the token's content nor its length leaks through timing.
 */
export function createBearerCheck(token: string): (req: IncomingMessage) => boolean {
  const expected = digest(token)
  return (req) => {
    const header = req.headers.authorization
    // The scheme is case-insensitive (RFC 9110 §11.1); exactly one space follows it, so
    // `Bearer  t` carries the credential " t" and fails, as RFC 6750's syntax requires.
    if (header === undefined || header.length <= SCHEME.length || header.slice(0, SCHEME.length).toLowerCase() !== SCHEME) return false
    return timingSafeEqual(digest(header.slice(SCHEME.length)), expected)
  }
}
