// Each configured issuer compiled once: its key source and a verifier from the key manager's
// token core (algorithm allow-list, key-type pairing, iss/aud/exp/nbf/iat, required claims).
import { isStrictBase64url } from '../../keymanager/tokens/base64url.ts'
import { createJwtVerifier, type JwtVerifier } from '../../keymanager/tokens/verify-jwt.ts'
import type { PolicyEnvironment } from '../../kit/policy.ts'
import { certificateKeys } from './certificate-keys.ts'
import { sharedJwksKeySet } from './jwks-key-set.ts'
import type { KeySource } from './key-lookup.ts'
import type { JwtSettings } from './schema.ts'

export interface CompiledIssuer {
  readonly issuer: string
  readonly keys: KeySource
  readonly verify: JwtVerifier
}

export function compileIssuers(settings: JwtSettings, env: PolicyEnvironment): CompiledIssuer[] {
  return settings.issuers.map((issuer, index) => {
    const keys: KeySource = issuer.certificates !== undefined
      ? certificateKeys(issuer.certificates, env.configDir, `issuers[${index}]`)
      : sharedJwksKeySet({ uri: issuer.jwksUri as string, ...settings.jwks })
    const lookup = (kid: string | undefined) => keys.lookup.get(kid)
    const verify = createJwtVerifier({
      keys: lookup,
      algorithms: issuer.algorithms,
      issuer: issuer.issuer,
      audience: issuer.allowAnyAudience ? undefined : issuer.audience,
      typ: issuer.typ,
      clockToleranceSeconds: issuer.clockSkewSeconds,
      maxTokenBytes: settings.maxTokenBytes,
      requiredClaims: issuer.requiredClaims,
    })
    return { issuer: issuer.issuer, keys, verify }
  })
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
