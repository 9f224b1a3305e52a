// Shared by the token tests: keys for each algorithm and a way to build tokens by hand, including
// ones our signer would never produce (attack tokens).
import { createHmac, sign } from 'node:crypto'
import type { SigningKeyRecord } from '../../store/ports.ts'
import { generateSigningKey } from '../keys/generate-signing-key.ts'
import { loadSigningKey, type LoadedKey } from '../keys/loaded-key.ts'
import { RSA_PSS_PADDING } from '../../jose/jws-algorithms.ts'
import type { JwtVerifierOptions } from '../../jose/verify-jwt.ts'
import type { VerificationKey } from '../../jose/verification-key.ts'

export const NOW = 1_760_000_000
export const ISSUER = 'https://as.example'

export function loadedKey(algorithm: SigningKeyRecord['algorithm']): LoadedKey {
  return loadSigningKey(generateSigningKey(algorithm, NOW))
}

export function b64(value: unknown): string {
  return Buffer.from(typeof value === 'string' ? value : JSON.stringify(value), 'utf8').toString('base64url')
}

/** `header.payload.signature` with the signature computed by `signer` over the exact signing input. */
export function forge(header: unknown, payload: unknown, signer: (input: Buffer) => Buffer = () => Buffer.alloc(0)): string {
  const input = `${b64(header)}.${b64(payload)}`
  return `${input}.${signer(Buffer.from(input, 'latin1')).toString('base64url')}`
}

/** Signs like a correct JWS implementation would for `alg`, with any private key. */
export function signAs(alg: string, key: LoadedKey): (input: Buffer) => Buffer {
  const hash = `sha${alg.slice(2)}`
  if (alg.startsWith('RS')) return (input) => sign(hash, input, key.privateKey)
  if (alg.startsWith('PS')) return (input) => sign(hash, input, { key: key.privateKey, padding: RSA_PSS_PADDING, saltLength: Number(alg.slice(2)) / 8 })
  if (alg.startsWith('ES')) return (input) => sign(hash, input, { key: key.privateKey, dsaEncoding: 'ieee-p1363' })
  if (alg === 'EdDSA') return (input) => sign(null, input, key.privateKey)
  throw new Error(`signAs: ${alg}`)
}

export function hmacWith(secret: Buffer | string): (input: Buffer) => Buffer {
  return (input) => createHmac('sha256', secret).update(input).digest()
}

export function claims(overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return { iss: ISSUER, sub: 'user-1', aud: 'orders', exp: NOW + 300, iat: NOW - 10, jti: 'j1', client_id: 'app', scope: 'read', ...overrides }
}

/** The reliability catalogue's setup: issuer https://as.example, aud orders, RS256, leeway 30 s. */
export function options(keys: Record<string, LoadedKey | VerificationKey>, overrides: Partial<JwtVerifierOptions> = {}): JwtVerifierOptions & { now: number } {
  const map = new Map(Object.entries(keys).map(([kid, k]) => [kid, 'verification' in k ? k.verification : k]))
  return {
    keys: (kid) => (kid === undefined ? undefined : map.get(kid)),
    algorithms: ['RS256'],
    issuer: ISSUER,
    audience: 'orders',
    clockToleranceSeconds: 30,
    maxTokenBytes: 8192,
    requiredClaims: ['iss', 'sub', 'aud', 'exp', 'iat', 'jti'],
    now: NOW,
    ...overrides,
  }
}

/** ASN.1 DER of an ECDSA signature from raw r||s (each 32 bytes). */
export function ecdsaRawToDer(raw: Buffer): Buffer {
  const integer = (bytes: Buffer): Buffer => {
    let start = 0
    while (start < bytes.length - 1 && bytes[start] === 0) start++
    let value = bytes.subarray(start)
    if (value[0] & 0x80) value = Buffer.concat([Buffer.from([0]), value])
    return Buffer.concat([Buffer.from([0x02, value.length]), value])
  }
  const body = Buffer.concat([integer(raw.subarray(0, 32)), integer(raw.subarray(32))])
  return Buffer.concat([Buffer.from([0x30, body.length]), body])
}
