// A public key ready for `verifyJwt`, and its import from a JWK (e.g. a client's registered JWKS
// for private_key_jwt). Imported JWKs are checked here once, so the verifier only has to compare
// `alg` with the key's type.
import { createPublicKey, type JsonWebKey, type KeyObject } from 'node:crypto'
import { algorithmFitsKey, isJwsAlgorithm, keyFamily, type JwsAlgorithm } from './jws-algorithms.ts'

export interface VerificationKey {
  readonly key: KeyObject
  /** When set, the token's `alg` must be exactly this (a JWK's `alg`, or our own key's). */
  readonly algorithm?: JwsAlgorithm
}

// Private members of RSA/EC/OKP JWKs; a JWK carrying any of them was not meant to be published.
const PRIVATE_MEMBERS = ['d', 'p', 'q', 'dp', 'dq', 'qi', 'oth', 'k']

/**
 * Imports one public JWK. Throws a TypeError naming the problem: private key material, `use`
 * other than `sig`, an unknown or mismatching `alg`, or an unsupported key type (RSA < 2048 bits,
 * curves other than P-256/384/521, symmetric keys).
 */
export function verificationKeyFromJwk(jwk: unknown): VerificationKey {
  if (typeof jwk !== 'object' || jwk === null || Array.isArray(jwk)) throw new TypeError('JWK is not a JSON object')
  const members = jwk as Record<string, unknown>
  for (const name of PRIVATE_MEMBERS) {
    if (Object.hasOwn(members, name)) throw new TypeError(`JWK has the private member "${name}"; publish public keys only`)
  }
  if (members.use !== undefined && members.use !== 'sig') throw new TypeError(`JWK "use" is ${JSON.stringify(members.use)}, expected "sig"`)
  let key: KeyObject
  try {
    key = createPublicKey({ key: members as JsonWebKey, format: 'jwk' })
  } catch (error) {
    throw new TypeError(`JWK cannot be imported: ${(error as Error).message}`)
  }
  if (keyFamily(key) === 'unsupported') throw new TypeError(`JWK key type is not supported (kty ${JSON.stringify(members.kty)})`)
  if (members.alg === undefined) return Object.freeze({ key })
  if (!isJwsAlgorithm(members.alg)) throw new TypeError(`JWK "alg" ${JSON.stringify(members.alg)} is not a supported signature algorithm`)
  if (!algorithmFitsKey(members.alg, key)) throw new TypeError(`JWK "alg" ${members.alg} does not fit its key type (${keyFamily(key)})`)
  return Object.freeze({ key, algorithm: members.alg })
}
