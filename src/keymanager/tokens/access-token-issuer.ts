// RFC 9068 JWT access tokens: header `typ: at+jwt`; claims iss, sub, aud, exp, iat, jti, client_id
// and scope (space-delimited). The token is self-contained; the returned record is what the token
// store keeps when persistence is on (so the token can be revoked and introspected).
import { rememberSelfSigned } from '../../jose/self-signed.ts'
import { timeOrderedId } from '../secrets/random-id.ts'
import { GatehouseError } from '../../core/errors/gatehouse-error.ts'
import type { LoadedKey } from '../keys/loaded-key.ts'
import type { AccessTokenRecord } from '../../store/ports.ts'
import { signJwt } from './sign-jwt.ts'

/** What the issuer needs from the key ring. */
export interface SigningKeySource {
  signingKey(): LoadedKey
  /** Tokens may not outlive this: retired keys stay published only that long. */
  readonly maxTokenLifetimeSeconds: number
}

export interface AccessTokenIssuerOptions {
  /** The `iss` claim: the authorization server's issuer identifier (an https URL). */
  issuer: string
  keys: SigningKeySource
  /** Epoch seconds; injected by tests. */
  now?: () => number
}

export interface AccessTokenRequest {
  clientId: string
  /** The resource owner, or the client id itself for client_credentials (RFC 9068 §2.2). */
  subject: string
  scopes: readonly string[]
  audience: string | readonly string[]
  ttlSeconds: number
  /** Refresh-token family the token belongs to; kept in the record, not in the token. */
  familyId?: string | null
}

export interface IssuedAccessToken {
  token: string
  jti: string
  /** Epoch seconds. */
  issuedAt: number
  /** Epoch seconds. */
  expiresAt: number
  /** Ready for TokenStore.saveAccessToken. */
  record: AccessTokenRecord
}

// RFC 6749 §3.3: scope-token = 1*( %x21 / %x23-5B / %x5D-7E ).
const SCOPE_TOKEN = /^[\x21\x23-\x5b\x5d-\x7e]+$/

export class AccessTokenIssuer {
  readonly #issuer: string
  readonly #keys: SigningKeySource
  readonly #now: () => number

  constructor(options: AccessTokenIssuerOptions) {
    if (typeof options.issuer !== 'string' || options.issuer === '') throw new GatehouseError('GH_ERR_CONFIG_INVALID', 'access tokens: issuer must be a non-empty string')
    this.#issuer = options.issuer
    this.#keys = options.keys
    this.#now = options.now ?? (() => Date.now() / 1000)
  }

  issue(request: AccessTokenRequest): IssuedAccessToken {
    const { clientId, subject, scopes, audience, ttlSeconds } = request
    const maxTtl = this.#keys.maxTokenLifetimeSeconds
    if (!Number.isSafeInteger(ttlSeconds) || ttlSeconds <= 0 || ttlSeconds > maxTtl) {
      throw new GatehouseError('GH_ERR_INTERNAL', `access-token lifetime must be 1..${maxTtl} s (the key ring's maxTokenLifetimeSeconds), got ${ttlSeconds}`)
    }
    if (typeof clientId !== 'string' || clientId === '' || typeof subject !== 'string' || subject === '') {
      throw new GatehouseError('GH_ERR_INTERNAL', 'access token needs a non-empty clientId and subject')
    }
    for (const scope of scopes) {
      if (!SCOPE_TOKEN.test(scope)) throw new GatehouseError('GH_ERR_INTERNAL', `scope ${JSON.stringify(scope)} is not an RFC 6749 scope token`)
    }
    const aud = typeof audience === 'string' ? audience : audience.length === 1 ? audience[0] : [...audience]
    if (aud === undefined || aud === '' || (Array.isArray(aud) && (aud.length === 0 || aud.some((a) => typeof a !== 'string' || a === '')))) {
      throw new GatehouseError('GH_ERR_INTERNAL', 'access token needs at least one non-empty audience')
    }

    const key = this.#keys.signingKey()
    const issuedAt = Math.floor(this.#now())
    const expiresAt = issuedAt + ttlSeconds
    const jti = timeOrderedId()
    const claims: Record<string, unknown> = { iss: this.#issuer, sub: subject, aud, exp: expiresAt, iat: issuedAt, jti, client_id: clientId }
    // RFC 9068 §2.2.3: scope only when scopes were granted.
    if (scopes.length > 0) claims.scope = scopes.join(' ')
    const token = signJwt({ alg: key.algorithm, kid: key.kid, typ: 'at+jwt' }, claims, key)
    // The jwt policy of this process then skips re-checking a signature it just made (src/jose/self-signed.ts).
    rememberSelfSigned(token)
    return {
      token,
      jti,
      issuedAt,
      expiresAt,
      record: { jti, clientId, subject, scopes: [...scopes], familyId: request.familyId ?? null, issuedAt, expiresAt, revoked: false },
    }
  }
}
