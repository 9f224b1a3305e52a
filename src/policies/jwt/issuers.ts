// Each configured issuer compiled once: its key source and a verifier from src/jose (algorithm
// allow-list, key-type pairing, iss/aud/exp/nbf/iat, required claims).
import { GatehouseError } from '../../core/errors/gatehouse-error.ts'
import { isStrictBase64url } from '../../jose/base64url.ts'
import { certificateKeys } from '../../jose/certificate-keys.ts'
import { JWS_ALGORITHMS } from '../../jose/jws-algorithms.ts'
import { sharedJwksKeySet } from '../../jose/jwks-key-set.ts'
import type { KeySource } from '../../jose/key-lookup.ts'
import { createJwtVerifier, type JwtVerifier } from '../../jose/verify-jwt.ts'
import type { OwnKeyManager, PolicyEnvironment } from '../../kit/policy.ts'
import type { IssuerSettings, JwtSettings } from './schema.ts'

export interface CompiledIssuer {
  readonly issuer: string
  readonly keys: KeySource
  readonly verify: JwtVerifier
}

// The key manager may be switched to any algorithm it can sign with, and each of its keys pins
// its own `alg`, so accepting all of them never lets a key be used with a foreign algorithm.
const KEY_MANAGER_ALGORITHMS = Object.keys(JWS_ALGORITHMS)

export function compileIssuers(settings: JwtSettings, env: PolicyEnvironment): CompiledIssuer[] {
  const compiled = (settings.issuers ?? []).map((issuer, index) => {
    const at = `issuers[${index}]`
    if (issuer.keyManager) return compileOwnKeyManager(issuer, settings, env.keyManager, at)
    const keys: KeySource = issuer.certificates !== undefined
      ? certificateKeys(issuer.certificates, env.configDir, `jwt: ${at}`)
      : sharedJwksKeySet({ uri: issuer.jwksUri as string, ...settings.jwks }, env.log)
    return compile(issuer, issuer.issuer as string, issuer.algorithms as string[], issuer.allowAnyAudience ? undefined : issuer.audience, issuer.typ, keys, settings)
  })
  const seen = new Set<string>()
  compiled.forEach((issuer, index) => {
    // The key manager's issuer is only known here; the same URL may not be listed a second time.
    if (seen.has(issuer.issuer)) throw new GatehouseError('GH_ERR_CONFIG_INVALID', `jwt: issuers[${index}]: issuer '${issuer.issuer}' is listed twice (keyManager: true names it too); give it once`)
    seen.add(issuer.issuer)
  })
  return compiled
}

function compileOwnKeyManager(issuer: IssuerSettings, settings: JwtSettings, keyManager: OwnKeyManager | undefined, at: string): CompiledIssuer {
  if (keyManager === undefined) {
    throw new GatehouseError('GH_ERR_CONFIG_INVALID', `jwt: ${at}.keyManager: this configuration has no keyManager section to take the issuer and keys from`)
  }
  const audience = issuer.allowAnyAudience ? undefined : issuer.audience ?? [...keyManager.audience]
  return compile(issuer, keyManager.issuer, issuer.algorithms ?? KEY_MANAGER_ALGORITHMS, audience, issuer.typ ?? 'at+jwt', ownKeyManagerKeys(keyManager), settings)
}

function compile(
  issuer: IssuerSettings,
  iss: string,
  algorithms: readonly string[],
  audience: string | readonly string[] | undefined,
  typ: string | undefined,
  keys: KeySource,
  settings: JwtSettings,
): CompiledIssuer {
  const verify = createJwtVerifier({
    keys: (kid) => keys.lookup.get(kid),
    algorithms,
    issuer: iss,
    audience,
    typ,
    clockToleranceSeconds: issuer.clockSkewSeconds,
    maxTokenBytes: settings.maxTokenBytes,
    requiredClaims: issuer.requiredClaims,
  })
  return { issuer: iss, keys, verify }
}

/**
 * The key manager of this process as a key source: keys come from its memory (the key ring its
 * token endpoint signs with), so a rotation in this process is seen at once and nothing goes over
 * HTTP. A key another process added (`gatehouse keys rotate`, another worker) is found when a
 * token first names its kid: the key manager then re-reads its store, at most once per interval,
 * so made-up kids cannot turn into a flood of store reads.
 */
export function ownKeyManagerKeys(keyManager: OwnKeyManager): KeySource {
  return {
    // Cached verdicts never need checking again: a key leaves the key manager's JWKS only once
    // every token it signed has expired, and cache entries end at their token's exp anyway.
    generation: 0,
    // The key manager creates a signing key when it opens, so there is always one.
    loaded: true,
    lookup: { size: 1, get: (kid) => keyManager.verificationKey(kid) },
    refreshIfDue: () => {},
    loadNow: () => undefined,
    refetchForUnknownKid: () => keyManager.refreshKeys().then(() => undefined),
    retryAfterSeconds: () => 1,
  }
}

/**
 * The unverified `iss` of a compact JWS, to choose among several issuers before verifying with
 * that issuer's keys and rules; undefined when the payload cannot be read (the verifier of any
 * issuer would refuse such a token as malformed). The value only selects a verifier, which then
 * requires exactly that `iss` of a correctly signed token.
 */
export function unverifiedIssuer(token: string): string | undefined {
  const first = token.indexOf('.')
  const second = first === -1 ? -1 : token.indexOf('.', first + 1)
  if (second === -1) return undefined
  const payload = token.slice(first + 1, second)
  if (payload === '' || !isStrictBase64url(payload)) return undefined
  try {
    const claims = JSON.parse(Buffer.from(payload, 'base64url').toString('utf8')) as unknown
    const iss = typeof claims === 'object' && claims !== null ? (claims as { iss?: unknown }).iss : undefined
    return typeof iss === 'string' ? iss : undefined
  } catch {
    return undefined
  }
}
