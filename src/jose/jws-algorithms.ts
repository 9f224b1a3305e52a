// The JWS algorithms Gatehouse verifies (RFC 7518 §3, RFC 8037) and the one key type each may be
// used with. Pairing the header's `alg` with the key's actual type is what stops algorithm
// confusion (RFC 8725 §2.1): a key is never used with an algorithm meant for another key type.
// HMAC (HS*) is deliberately absent: we never hold a shared secret in plain text, so an HS* token
// can only be an attack (e.g. keyed with a public key, JWT-02). `none` is absent for the same reason.
import { constants, type KeyObject } from 'node:crypto'

/** Key types an algorithm can be paired with, as `keyFamily()` names them. */
export type KeyFamily = 'RSA' | 'EC-P-256' | 'EC-P-384' | 'EC-P-521' | 'Ed25519' | 'Ed448' | 'unsupported'

export interface JwsAlgorithmSpec {
  /** Digest passed to `crypto.sign`/`crypto.verify`; null for EdDSA (the curve fixes it). */
  readonly hash: string | null
  readonly families: readonly KeyFamily[]
  /** RSA-PSS with MGF1 and a salt as long as the hash (RFC 7518 §3.5). */
  readonly pssSaltLength: number | null
  /** ECDSA signatures in JWS are raw r||s, not DER (RFC 7518 §3.4). */
  readonly rawEcdsa: boolean
}

function spec(hash: string | null, families: KeyFamily[], pssSaltLength: number | null = null, rawEcdsa = false): JwsAlgorithmSpec {
  return Object.freeze({ hash, families: Object.freeze(families), pssSaltLength, rawEcdsa })
}

export const JWS_ALGORITHMS: Readonly<Record<string, JwsAlgorithmSpec>> = Object.freeze({
  RS256: spec('sha256', ['RSA']),
  RS384: spec('sha384', ['RSA']),
  RS512: spec('sha512', ['RSA']),
  PS256: spec('sha256', ['RSA'], 32),
  PS384: spec('sha384', ['RSA'], 48),
  PS512: spec('sha512', ['RSA'], 64),
  ES256: spec('sha256', ['EC-P-256'], null, true),
  ES384: spec('sha384', ['EC-P-384'], null, true),
  ES512: spec('sha512', ['EC-P-521'], null, true),
  EdDSA: spec(null, ['Ed25519', 'Ed448']),
})

export type JwsAlgorithm = 'RS256' | 'RS384' | 'RS512' | 'PS256' | 'PS384' | 'PS512' | 'ES256' | 'ES384' | 'ES512' | 'EdDSA'

export function isJwsAlgorithm(alg: unknown): alg is JwsAlgorithm {
  return typeof alg === 'string' && Object.hasOwn(JWS_ALGORITHMS, alg)
}

/** Smallest RSA modulus accepted for RS256..RS512 and PS256..PS512 (RFC 7518 §3.3, §3.5). */
export const MIN_RSA_BITS = 2048

const CURVES: Readonly<Record<string, KeyFamily>> = { prime256v1: 'EC-P-256', secp384r1: 'EC-P-384', secp521r1: 'EC-P-521' }

// Reading asymmetricKeyDetails allocates, and the same few keys verify every token: remember the
// answer per KeyObject.
const familyCache = new WeakMap<KeyObject, KeyFamily>()

/** The key's type as the algorithm table names it; `unsupported` for secret keys, short RSA keys, other curves. */
export function keyFamily(key: KeyObject): KeyFamily {
  let family = familyCache.get(key)
  if (family === undefined) {
    family = computeKeyFamily(key)
    familyCache.set(key, family)
  }
  return family
}

function computeKeyFamily(key: KeyObject): KeyFamily {
  if (key.type === 'secret') return 'unsupported'
  switch (key.asymmetricKeyType) {
    case 'rsa':
      return (key.asymmetricKeyDetails?.modulusLength ?? 0) >= MIN_RSA_BITS ? 'RSA' : 'unsupported'
    case 'ec':
      return CURVES[key.asymmetricKeyDetails?.namedCurve ?? ''] ?? 'unsupported'
    case 'ed25519':
      return 'Ed25519'
    case 'ed448':
      return 'Ed448'
    default:
      return 'unsupported'
  }
}

/** Whether `alg` may be used with `key` at all (before any allow-list). */
export function algorithmFitsKey(alg: string, key: KeyObject): boolean {
  const algorithm = JWS_ALGORITHMS[alg]
  return algorithm !== undefined && algorithm.families.includes(keyFamily(key))
}

export const RSA_PSS_PADDING = constants.RSA_PKCS1_PSS_PADDING
