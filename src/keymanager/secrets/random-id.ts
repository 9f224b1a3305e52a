// Random identifiers (token ids, refresh-token family ids) from a pool of CSPRNG bytes filled 4 KiB
// at a time: one randomFillSync call per token cost about 8 µs, a slice of the pool costs almost
// nothing. The bytes are as unpredictable either way (crypto.randomUUID keeps such a cache too);
// secrets handed to clients still come from generateSecret.
import { randomFillSync } from 'node:crypto'

const POOL_BYTES = 4096
const pool = Buffer.allocUnsafe(POOL_BYTES)
let offset = POOL_BYTES

/** `bytes` (at most 64) random bytes as base64url. */
export function randomId(bytes = 16): string {
  if (bytes > 64 || bytes < 1) throw new RangeError('randomId: 1 to 64 bytes')
  if (offset + bytes > POOL_BYTES) {
    randomFillSync(pool)
    offset = 0
  }
  const id = pool.toString('base64url', offset, offset + bytes)
  // Each byte is used once: overwrite before moving on, so no id can be derived from a later one.
  pool.fill(0, offset, offset + bytes)
  offset += bytes
  return id
}
