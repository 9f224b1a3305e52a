// Stored form of high-entropy secrets (client secrets, refresh tokens, API keys): HMAC-SHA-256
// under a server pepper. A slow password hash buys nothing for a 256-bit random value, and a keyed
// digest is deterministic, so the store can look a secret up by its digest. The pepper lives
// outside the store (configuration/environment): a dump of the store alone cannot confirm a guess.
import { createHmac, createSecretKey, timingSafeEqual, type KeyObject } from 'node:crypto'
import { GatehouseError } from '../../core/errors/gatehouse-error.ts'

const DIGEST_HEX_LENGTH = 64
// Compared in place of a malformed stored value, so it costs the same; no hex digest equals it.
const NEVER_A_DIGEST = 'x'.repeat(DIGEST_HEX_LENGTH)

export class SecretHasher {
  // A KeyObject rather than the raw Buffer: createHmac with a Buffer key sets the key up again
  // on every call, which costs about six times the HMAC itself.
  readonly #pepper: KeyObject

  /** `pepper`: at least 32 bytes (a string is taken as UTF-8). */
  constructor(pepper: Buffer | string) {
    const bytes = typeof pepper === 'string' ? Buffer.from(pepper, 'utf8') : Buffer.isBuffer(pepper) ? pepper : undefined
    if (bytes === undefined || bytes.length < 32) {
      throw new GatehouseError('GH_ERR_CONFIG_INVALID', 'secret pepper must be at least 32 bytes (e.g. 43 characters of base64url from a random source)')
    }
    this.#pepper = createSecretKey(bytes) // copies the bytes
  }

  /** Lower-case hex HMAC-SHA-256(pepper, secret): 64 characters. */
  digest(secret: string): string {
    return createHmac('sha256', this.#pepper).update(secret, 'utf8').digest('hex')
  }

  /**
   * Whether `secret` has `storedDigest`. Digests are compared, never secrets, so the comparison
   * always runs over 64 bytes whatever was presented, and in constant time. A stored value that
   * is not a 64-character digest matches nothing.
   */
  matches(secret: string, storedDigest: string): boolean {
    return this.matchesAny(secret, [storedDigest])
  }

  /**
   * Whether `secret` has any of `storedDigests`: for a secret with two valid values at once, as
   * during a client secret rotation. One HMAC, then a constant-time comparison with every digest
   * and no early exit, so the time depends on how many digests are given, never on which one
   * matches or whether one is missing (pass a placeholder that matches nothing in its place).
   */
  matchesAny(secret: string, storedDigests: readonly string[]): boolean {
    if (typeof secret !== 'string') return false
    // latin1 maps each character to one byte, so every buffer is 64 bytes long.
    const presented = Buffer.from(this.digest(secret), 'latin1')
    let matched = false
    for (const stored of storedDigests) {
      const usable = typeof stored === 'string' && stored.length === DIGEST_HEX_LENGTH
      const equal = timingSafeEqual(presented, Buffer.from(usable ? stored : NEVER_A_DIGEST, 'latin1'))
      matched = (usable && equal) || matched
    }
    return matched
  }
}
