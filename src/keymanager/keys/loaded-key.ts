// A stored signing key parsed once: the PEM becomes a KeyObject when the key ring loads it, never
// per token. Loading also checks the record against itself (key type vs algorithm, published JWK
// vs private key), so a damaged record is refused at load rather than producing tokens nobody can verify.
import { createPrivateKey, createPublicKey, type KeyObject, type SignKeyObjectInput } from 'node:crypto'
import type { SigningKeyRecord } from '../../store/ports.ts'
import { algorithmFitsKey, JWS_ALGORITHMS, keyFamily, RSA_PSS_PADDING } from '../../jose/jws-algorithms.ts'
import type { VerificationKey } from '../../jose/verification-key.ts'
import { isSigningAlgorithm, type SigningAlgorithm } from './generate-signing-key.ts'
import { jwkThumbprint } from './jwk-thumbprint.ts'

export interface LoadedKey {
  readonly kid: string
  readonly algorithm: SigningAlgorithm
  readonly privateKey: KeyObject
  readonly publicKey: KeyObject
  /** The published JWK (kid, alg, use included). */
  readonly publicJwk: Readonly<Record<string, unknown>>
  /** First argument of `crypto.sign`: the digest, or null for EdDSA. */
  readonly signHash: string | null
  /** Third argument of `crypto.sign`: the key with its padding/encoding options, built once. */
  readonly signKey: KeyObject | SignKeyObjectInput
  /** The public half as `verifyJwt` takes it. */
  readonly verification: VerificationKey
}

/** Parses and checks one record; throws a TypeError saying what is wrong with it (never key material). */
export function loadSigningKey(record: SigningKeyRecord): LoadedKey {
  const { kid, algorithm } = record
  if (!isSigningAlgorithm(algorithm)) throw new TypeError(`unsupported algorithm ${JSON.stringify(algorithm)}`)
  let privateKey: KeyObject
  try {
    privateKey = createPrivateKey(record.privateKeyPem)
  } catch {
    throw new TypeError('private key is not a readable PEM key')
  }
  const publicKey = createPublicKey(privateKey)
  if (!algorithmFitsKey(algorithm, publicKey)) throw new TypeError(`${algorithm} does not fit its key type (${keyFamily(publicKey)})`)
  let publicJwk: Record<string, unknown>
  try {
    publicJwk = JSON.parse(record.publicJwk) as Record<string, unknown>
  } catch {
    throw new TypeError('public JWK is not JSON')
  }
  if (typeof publicJwk !== 'object' || publicJwk === null || Array.isArray(publicJwk)) throw new TypeError('public JWK is not a JSON object')
  if (publicJwk.kid !== kid || publicJwk.alg !== algorithm) throw new TypeError('public JWK kid/alg differ from the record')
  if (jwkThumbprint(publicJwk) !== jwkThumbprint(publicKey.export({ format: 'jwk' }))) throw new TypeError('public JWK does not belong to the private key')
  const spec = JWS_ALGORITHMS[algorithm]
  let signKey: KeyObject | SignKeyObjectInput = privateKey
  if (spec.pssSaltLength !== null) signKey = { key: privateKey, padding: RSA_PSS_PADDING, saltLength: spec.pssSaltLength }
  else if (spec.rawEcdsa) signKey = { key: privateKey, dsaEncoding: 'ieee-p1363' }
  return Object.freeze({
    kid,
    algorithm,
    privateKey,
    publicKey,
    publicJwk: Object.freeze(publicJwk),
    signHash: spec.hash,
    signKey,
    verification: Object.freeze({ key: publicKey, algorithm }),
  })
}
