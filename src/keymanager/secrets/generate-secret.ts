// Random secrets handed out once: client secrets, refresh tokens, API keys. 32 bytes = 256 bits,
// enough that a keyed digest (SecretHasher) is a safe way to store them: nobody can guess one.
import { randomBytes } from 'node:crypto'
import { GatehouseError } from '../../core/errors/gatehouse-error.ts'

/** base64url of `bytes` random bytes (43 characters for the default 32). */
export function generateSecret(bytes = 32): string {
  if (!Number.isSafeInteger(bytes) || bytes < 16 || bytes > 1024) {
    throw new GatehouseError('GH_ERR_INTERNAL', `secret length must be 16..1024 bytes, got ${bytes}`)
  }
  return randomBytes(bytes).toString('base64url')
}
