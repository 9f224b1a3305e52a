// New signing keys: RSA 2048 (RS256, PS256), P-256 (ES256), Ed25519 (EdDSA). The private key is
// stored as PKCS#8 PEM; the public part as a JWK carrying kid (RFC 7638 thumbprint), alg and use.
import { generateKeyPair, generateKeyPairSync, type KeyObject } from 'node:crypto'
import { promisify } from 'node:util'
import { GatehouseError } from '../../core/errors/gatehouse-error.ts'
import type { SigningKeyRecord } from '../../store/ports.ts'
import { jwkThumbprint } from './jwk-thumbprint.ts'

export type SigningAlgorithm = SigningKeyRecord['algorithm']

export const SIGNING_ALGORITHMS: readonly SigningAlgorithm[] = Object.freeze(['RS256', 'PS256', 'ES256', 'EdDSA'])

export function isSigningAlgorithm(value: unknown): value is SigningAlgorithm {
  return typeof value === 'string' && (SIGNING_ALGORITHMS as readonly string[]).includes(value)
}

interface KeyPair {
  privateKey: KeyObject
  publicKey: KeyObject
}

const generateKeyPairAsync = promisify(generateKeyPair)

/** Synchronous: RSA generation blocks for tens to hundreds of milliseconds; prefer the async form in a server. */
export function generateSigningKey(algorithm: SigningAlgorithm, now: number): SigningKeyRecord {
  checkAlgorithm(algorithm)
  let pair: KeyPair
  if (algorithm === 'ES256') pair = generateKeyPairSync('ec', { namedCurve: 'P-256' })
  else if (algorithm === 'EdDSA') pair = generateKeyPairSync('ed25519')
  else pair = generateKeyPairSync('rsa', { modulusLength: 2048, publicExponent: 0x10001 })
  return signingKeyRecord(algorithm, pair, now)
}

/** Same as `generateSigningKey`, with the key generated on the libuv thread pool. */
export async function generateSigningKeyAsync(algorithm: SigningAlgorithm, now: number): Promise<SigningKeyRecord> {
  checkAlgorithm(algorithm)
  let pair: KeyPair
  if (algorithm === 'ES256') pair = await generateKeyPairAsync('ec', { namedCurve: 'P-256' })
  else if (algorithm === 'EdDSA') pair = await generateKeyPairAsync('ed25519', undefined)
  else pair = await generateKeyPairAsync('rsa', { modulusLength: 2048, publicExponent: 0x10001 })
  return signingKeyRecord(algorithm, pair, now)
}

/** `now` is epoch seconds; the key is active from `now` unless the caller moves `activatesAt`. */
function signingKeyRecord(algorithm: SigningAlgorithm, pair: KeyPair, now: number): SigningKeyRecord {
  const material = pair.publicKey.export({ format: 'jwk' })
  const kid = jwkThumbprint(material)
  const publicJwk = { ...material, kid, alg: algorithm, use: 'sig' }
  return {
    kid,
    algorithm,
    privateKeyPem: pair.privateKey.export({ type: 'pkcs8', format: 'pem' }) as string,
    publicJwk: JSON.stringify(publicJwk),
    createdAt: now,
    activatesAt: now,
    retiredAt: null,
    expiresAt: null,
  }
}

function checkAlgorithm(algorithm: unknown): void {
  if (!isSigningAlgorithm(algorithm)) {
    throw new GatehouseError('GH_ERR_CONFIG_INVALID', `signing algorithm ${JSON.stringify(algorithm)} is not one of ${SIGNING_ALGORITHMS.join(', ')}`)
  }
}
