// Strict compact-JWS verification for our own access tokens, client assertions and (through the
// gateway's JWT policy) third-party tokens. Every refusal is a JwtError whose `reason` names the
// failed check. The checks follow RFC 8725: the algorithm comes from the allow-list AND must fit
// the key's type, header-supplied keys (jku, x5u, jwk, x5c) are refused and never fetched, no
// `crit` extension is understood so any `crit` is refused, and `kid` is only ever a map key
// handed to the caller's lookup.
//
// Hot-path shape: `createJwtVerifier` checks the options once; per token the work is three
// indexOf calls, one header lookup (validated headers are cached by their encoded text), one
// JSON.parse of the payload with the claim checks, and one `crypto.verify` on a KeyObject parsed
// in advance. The claims are checked before the signature because a refusal on them costs a few
// microseconds against tens for a signature: a client that keeps sending its expired token, or
// a flood of tokens for another audience, is refused without a verification each. Only refusals
// move earlier; nothing is accepted before the signature holds. The payload is bounded by
// maxTokenBytes before it is decoded, and V8's JSON parser does not recurse (JWT-11).
import { isSelfSigned } from './self-signed.ts'
import { verify } from 'node:crypto'
import { GatehouseError } from '../core/errors/gatehouse-error.ts'
import { isStrictBase64url } from './base64url.ts'
import { ECDSA_HALF_BYTES, rawEcdsaToDer } from './ecdsa-signature.ts'
import { algorithmFitsKey, isJwsAlgorithm, JWS_ALGORITHMS, RSA_PSS_PADDING } from './jws-algorithms.ts'
import { JwtError } from './jwt-error.ts'
import type { VerificationKey } from './verification-key.ts'

export interface JwtHeader {
  readonly alg: string
  readonly kid?: string
  readonly typ?: string
  readonly [member: string]: unknown
}

export type JwtPayload = Record<string, unknown>

export interface VerifiedJwt {
  /** Frozen and shared between tokens with the same header. */
  header: JwtHeader
  payload: JwtPayload
}

export interface JwtVerifierOptions {
  /** Finds the key for a token's `kid` (undefined when the header has none) by exact lookup. */
  keys: (kid: string | undefined) => VerificationKey | undefined
  /** Accepted `alg` values; `none` and HS* are refused here, at configuration time. */
  algorithms: readonly string[]
  /** Required exact `iss`. */
  issuer?: string
  /** The token's `aud` (string or array) must contain one of these. */
  audience?: string | readonly string[]
  /** Required header `typ`, compared as a media type (`at+jwt` also matches `application/at+jwt`). */
  typ?: string
  /** Leeway for exp, nbf and iat, in seconds. */
  clockToleranceSeconds: number
  /** Longest accepted token, checked before anything is decoded. */
  maxTokenBytes: number
  /** Claims that must be present (and not null), e.g. `['exp', 'iat', 'sub', 'jti']`. */
  requiredClaims: readonly string[]
}

export interface VerifyJwtOptions extends JwtVerifierOptions {
  /** Current time, epoch seconds. */
  now: number
}

export type JwtVerifier = (token: string, now: number) => VerifiedJwt

interface Settings {
  keys: JwtVerifierOptions['keys']
  algorithms: ReadonlySet<string>
  issuer: string | undefined
  audience: ReadonlySet<string> | undefined
  typ: string | undefined
  tolerance: number
  maxTokenBytes: number
  requiredClaims: readonly string[]
}

// Header members that would make us take a key, or fetch one, from the token itself.
const REFUSED_HEADER_MEMBERS = ['jku', 'x5u', 'jwk', 'x5c']

const HEADER_CACHE_LIMIT = 256
// Validated headers by their encoded text: tokens from one issuer share a handful of headers.
// Only headers that passed every check that does not depend on options are stored.
const headerCache = new Map<string, JwtHeader>()

const utf8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true })

/** Checks the options once and returns a verifier for the hot path. */
export function createJwtVerifier(options: JwtVerifierOptions): JwtVerifier {
  const settings = compileSettings(options)
  return (token, now) => verifyWith(settings, token, now)
}

/** One-off verification; on a hot path keep the result of `createJwtVerifier` instead. */
export function verifyJwt(token: string, options: VerifyJwtOptions): VerifiedJwt {
  return verifyWith(compileSettings(options), token, options.now)
}

function compileSettings(options: JwtVerifierOptions): Settings {
  const invalid = (what: string): never => {
    throw new GatehouseError('GH_ERR_CONFIG_INVALID', `JWT verifier: ${what}`)
  }
  if (typeof options.keys !== 'function') invalid('keys must be a lookup function')
  if (!Array.isArray(options.algorithms) || options.algorithms.length === 0) invalid('algorithms must list at least one algorithm')
  for (const alg of options.algorithms) {
    if (!isJwsAlgorithm(alg)) invalid(`algorithm ${JSON.stringify(alg)} is not accepted (supported: ${Object.keys(JWS_ALGORITHMS).join(', ')}; never none or HS*)`)
  }
  if (options.issuer !== undefined && (typeof options.issuer !== 'string' || options.issuer === '')) invalid('issuer must be a non-empty string')
  const audience = options.audience === undefined ? undefined : typeof options.audience === 'string' ? [options.audience] : options.audience
  if (audience !== undefined && (audience.length === 0 || audience.some((a) => typeof a !== 'string' || a === ''))) invalid('audience must be a non-empty string or list of them')
  if (options.typ !== undefined && (typeof options.typ !== 'string' || options.typ === '')) invalid('typ must be a non-empty string')
  if (!Number.isFinite(options.clockToleranceSeconds) || options.clockToleranceSeconds < 0) invalid('clockToleranceSeconds must be a number >= 0')
  if (!Number.isSafeInteger(options.maxTokenBytes) || options.maxTokenBytes < 16) invalid('maxTokenBytes must be an integer >= 16')
  if (!Array.isArray(options.requiredClaims) || options.requiredClaims.some((c) => typeof c !== 'string' || c === '')) invalid('requiredClaims must be a list of claim names')
  return {
    keys: options.keys,
    algorithms: new Set(options.algorithms),
    issuer: options.issuer,
    audience: audience === undefined ? undefined : new Set(audience),
    typ: options.typ === undefined ? undefined : mediaType(options.typ),
    tolerance: options.clockToleranceSeconds,
    maxTokenBytes: options.maxTokenBytes,
    requiredClaims: [...options.requiredClaims],
  }
}

function verifyWith(settings: Settings, token: string, now: number): VerifiedJwt {
  if (typeof token !== 'string') throw new JwtError('malformed', 'token is not a string')
  if (token.length > settings.maxTokenBytes) throw new JwtError('token_too_large', `token is longer than ${settings.maxTokenBytes} bytes`)
  const first = token.indexOf('.')
  const second = first === -1 ? -1 : token.indexOf('.', first + 1)
  if (second === -1 || token.indexOf('.', second + 1) !== -1) throw new JwtError('malformed', 'a JWS has exactly three dot-separated segments')

  const header = readHeader(token.slice(0, first))
  const alg = header.alg
  if (!settings.algorithms.has(alg)) throw new JwtError('alg_not_allowed', `alg ${JSON.stringify(alg)} is not allowed`)
  if (settings.typ !== undefined && (header.typ === undefined || mediaType(header.typ) !== settings.typ)) {
    throw new JwtError('wrong_typ', `typ ${JSON.stringify(header.typ)} is not ${settings.typ}`)
  }
  const verificationKey = settings.keys(header.kid)
  if (verificationKey === undefined) throw new JwtError('unknown_kid', 'no key matches the kid')
  if ((verificationKey.algorithm !== undefined && verificationKey.algorithm !== alg) || !algorithmFitsKey(alg, verificationKey.key)) {
    throw new JwtError('alg_not_allowed', `alg ${alg} does not fit the key`)
  }

  const encodedPayload = token.slice(first + 1, second)
  const encodedSignature = token.slice(second + 1)
  if (!isStrictBase64url(encodedPayload) || !isStrictBase64url(encodedSignature)) throw new JwtError('malformed', 'payload or signature is not strict base64url')
  if (encodedSignature.length === 0) throw new JwtError('bad_signature', 'signature is empty')

  const payload = parseObject(encodedPayload, 'payload') as JwtPayload
  checkClaims(settings, payload, now)
  if (!isSelfSigned(token) && !signatureHolds(alg, verificationKey, token.slice(0, second), Buffer.from(encodedSignature, 'base64url'))) {
    throw new JwtError('bad_signature', 'signature does not verify')
  }
  return { header, payload }
}

function signatureHolds(alg: string, verificationKey: VerificationKey, signingInput: string, signature: Buffer): boolean {
  const spec = JWS_ALGORITHMS[alg]
  const key = verificationKey.key
  const data = Buffer.from(signingInput, 'latin1')
  try {
    if (spec.pssSaltLength !== null) return verify(spec.hash, data, { key, padding: RSA_PSS_PADDING, saltLength: spec.pssSaltLength }, signature)
    if (spec.rawEcdsa) {
      // The bare KeyObject and a DER signature: an options object would cost a third more (ecdsa-signature.ts).
      const der = rawEcdsaToDer(signature, ECDSA_HALF_BYTES[alg])
      return der !== undefined && verify(spec.hash, data, key, der)
    }
    return verify(spec.hash, data, key, signature)
  } catch {
    // OpenSSL refuses some malformed signatures (wrong length, r or s out of range) by throwing.
    return false
  }
}

function readHeader(encoded: string): JwtHeader {
  const cached = headerCache.get(encoded)
  if (cached !== undefined) return cached
  const header = parseObject(encoded, 'header')
  if (Object.hasOwn(header, 'crit')) throw new JwtError('crit_unsupported', 'header has crit; no extensions are supported')
  for (const member of REFUSED_HEADER_MEMBERS) {
    if (Object.hasOwn(header, member)) throw new JwtError(`unsupported_header:${member}`, `header member ${member} is refused; keys come only from configuration`)
  }
  if (header.kid !== undefined && typeof header.kid !== 'string') throw new JwtError('malformed', 'header kid is not a string')
  if (header.typ !== undefined && typeof header.typ !== 'string') throw new JwtError('malformed', 'header typ is not a string')
  if (typeof header.alg !== 'string') throw new JwtError('alg_not_allowed', 'header has no alg')
  const frozen = Object.freeze(header) as JwtHeader
  if (headerCache.size >= HEADER_CACHE_LIMIT) headerCache.clear()
  headerCache.set(encoded, frozen)
  return frozen
}

function parseObject(encoded: string, part: 'header' | 'payload'): Record<string, unknown> {
  if (!isStrictBase64url(encoded) || encoded.length === 0) throw new JwtError('malformed', `${part} is not strict base64url`)
  let value: unknown
  try {
    value = JSON.parse(utf8.decode(Buffer.from(encoded, 'base64url')))
  } catch {
    throw new JwtError('malformed', `${part} is not UTF-8 JSON`)
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) throw new JwtError('malformed', `${part} is not a JSON object`)
  return value as Record<string, unknown>
}

function checkClaims(settings: Settings, payload: JwtPayload, now: number): void {
  for (const name of settings.requiredClaims) {
    if (!Object.hasOwn(payload, name) || payload[name] === null) throw new JwtError(`missing_claim:${name}`, `claim ${name} is required`)
  }
  const tolerance = settings.tolerance
  const exp = numericDate(payload, 'exp')
  if (exp !== undefined && now - tolerance >= exp) throw new JwtError('expired', 'token expired (exp)')
  const nbf = numericDate(payload, 'nbf')
  if (nbf !== undefined && now + tolerance < nbf) throw new JwtError('not_yet_valid', 'token not valid yet (nbf)')
  const iat = numericDate(payload, 'iat')
  if (iat !== undefined && iat > now + tolerance) throw new JwtError('issued_in_future', 'token issued in the future (iat)')

  for (const name of ['iss', 'sub', 'jti']) {
    if (Object.hasOwn(payload, name) && typeof payload[name] !== 'string') throw new JwtError(`invalid_claim:${name}`, `claim ${name} is not a string`)
  }
  if (settings.issuer !== undefined) {
    if (!Object.hasOwn(payload, 'iss')) throw new JwtError('missing_claim:iss', 'claim iss is required')
    if (payload.iss !== settings.issuer) throw new JwtError('wrong_issuer', 'iss is not the expected issuer')
  }
  if (settings.audience !== undefined) checkAudience(settings.audience, payload)
}

function numericDate(payload: JwtPayload, name: 'exp' | 'nbf' | 'iat'): number | undefined {
  if (!Object.hasOwn(payload, name)) return undefined
  const value = payload[name]
  if (typeof value !== 'number' || !Number.isFinite(value)) throw new JwtError(`invalid_claim:${name}`, `claim ${name} is not a NumericDate`)
  return value
}

function checkAudience(expected: ReadonlySet<string>, payload: JwtPayload): void {
  if (!Object.hasOwn(payload, 'aud')) throw new JwtError('missing_claim:aud', 'claim aud is required')
  const aud = payload.aud
  if (typeof aud === 'string') {
    if (expected.has(aud)) return
  } else if (Array.isArray(aud)) {
    let found = false
    for (const entry of aud) {
      if (typeof entry !== 'string') throw new JwtError('invalid_claim:aud', 'aud holds a value that is not a string')
      if (expected.has(entry)) found = true
    }
    if (found) return
  } else {
    throw new JwtError('invalid_claim:aud', 'aud is neither a string nor a list of strings')
  }
  throw new JwtError('wrong_audience', 'aud does not name this audience')
}

/** `typ` is a media type without its `application/` prefix, compared case-insensitively (RFC 7515 §4.1.9). */
function mediaType(typ: string): string {
  const lower = typ.toLowerCase()
  return lower.startsWith('application/') ? lower.slice('application/'.length) : lower
}
