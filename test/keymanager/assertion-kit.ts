// Signing keys of assertion makers in the tests: a private_key_jwt client, or a separate token
// issuer for the jwt-bearer grant. Tokens are signed with the project's own signer (any correct
// JWS signer would do); attack tokens use the forge helpers of the token tests.
import { randomUUID } from 'node:crypto'
import type { SigningKeyRecord } from '../../src/store/ports.ts'
import { generateSigningKey } from '../../src/keymanager/keys/generate-signing-key.ts'
import { loadSigningKey, type LoadedKey } from '../../src/keymanager/keys/loaded-key.ts'
import { signJwt } from '../../src/keymanager/tokens/sign-jwt.ts'

export interface AssertionKey {
  key: LoadedKey
  kid: string
  /** The public JWK (kid, alg, use). */
  jwk: Record<string, unknown>
  /** PEM of the public key, as a certificate file would hold it. */
  publicPem: string
  sign(claims: Record<string, unknown>): string
}

export function assertionKey(algorithm: SigningKeyRecord['algorithm'] = 'ES256'): AssertionKey {
  const key = loadSigningKey(generateSigningKey(algorithm, Math.floor(Date.now() / 1000)))
  return {
    key,
    kid: key.kid,
    jwk: { ...key.publicJwk },
    publicPem: key.publicKey.export({ type: 'spki', format: 'pem' }).toString(),
    sign: (claims) => signJwt({ alg: key.algorithm, kid: key.kid }, claims, key),
  }
}

/** Claims of a well-formed assertion, valid for a minute from now. */
export function assertionClaims(iss: string, sub: string, aud: string, overrides: Record<string, unknown> = {}): Record<string, unknown> {
  const now = Math.floor(Date.now() / 1000)
  return { iss, sub, aud, iat: now, exp: now + 60, jti: randomUUID(), ...overrides }
}
