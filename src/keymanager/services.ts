// What the endpoints and grants of one key manager share, built once by KeyManager.open. Nothing
// here is per request; per-request state lives in each endpoint's exchange object.
import type { KeyManagerConfig } from '../config/types.ts'
import type { Store } from '../store/ports.ts'
import type { KeyRing } from './keys/key-ring.ts'
import type { KeysFreshness } from './keys-freshness.ts'
import type { SecretHasher } from './secrets/secret-hasher.ts'
import type { AccessTokenIssuer } from './tokens/access-token-issuer.ts'
import type { JwtVerifier } from '../jose/verify-jwt.ts'
import type { ClientKeys } from './clients/client-keys.ts'
import type { PasswordThrottle } from './grants/password-throttle.ts'
import type { TrustedIssuers } from './trust/trusted-issuers.ts'

export type KeyManagerLog = (level: 'info' | 'warn' | 'error', message: string, fields?: Record<string, unknown>) => void

/** Absolute URLs of the endpoints, as published in the metadata. */
export interface EndpointUrls {
  issuer: string
  token: string
  introspection: string
  revocation: string
  jwks: string
}

export interface KeyManagerServices {
  readonly config: KeyManagerConfig
  readonly store: Store
  readonly keys: KeyRing
  /** Re-reads keys other processes added, at most every 10 s. */
  readonly keysFreshness: KeysFreshness
  readonly accessTokens: AccessTokenIssuer
  /** Verifies this server's own access tokens (signature, iss, aud, exp without leeway). */
  readonly verifyAccessToken: JwtVerifier
  readonly hasher: SecretHasher
  readonly urls: EndpointUrls
  readonly clientKeys: ClientKeys
  readonly throttle: PasswordThrottle
  readonly trustedIssuers: TrustedIssuers
  /** Epoch seconds (fractional). */
  readonly now: () => number
  readonly log: KeyManagerLog
}

export function endpointUrls(config: KeyManagerConfig): EndpointUrls {
  // Endpoints live under basePath on the issuer's origin; the issuer's own path may differ when a
  // proxy in front rewrites it, but the origin is where clients reach this server.
  const base = new URL(config.issuer).origin + config.basePath
  return { issuer: config.issuer, token: `${base}/token`, introspection: `${base}/introspect`, revocation: `${base}/revoke`, jwks: `${base}/jwks` }
}
