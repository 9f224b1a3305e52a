// RFC 6750 §3 answers: every refusal carries a `WWW-Authenticate: Bearer …` challenge and a problem
// document with a stable code. The errors are built once and thrown again and again: refusals are
// what an attacker can send in bulk, and capturing a stack trace per refusal would cost more than
// the check itself. Nothing here ever contains the token or key material.
import { GatehouseError } from '../../core/errors/gatehouse-error.ts'
import type { JwtRejection } from '../../jose/jwt-error.ts'

/** Why a token was refused: the verifier's reasons plus the policy's own checks and introspection's. */
export type TokenRejection = JwtRejection | 'unknown_issuer' | 'bad_credentials' | 'inactive' | 'wrong_token_type' | `unforwardable_claim:${string}`

const FIXED_DESCRIPTIONS: Record<string, string> = {
  token_too_large: 'token is too large',
  malformed: 'token is not a well-formed JWS',
  alg_not_allowed: 'token algorithm is not allowed',
  unknown_kid: 'no key matches the token kid',
  crit_unsupported: 'token header has crit',
  wrong_typ: 'token typ is not accepted',
  bad_signature: 'token signature does not verify',
  expired: 'token expired (exp)',
  not_yet_valid: 'token is not valid yet (nbf)',
  issued_in_future: 'token is issued in the future (iat)',
  wrong_issuer: 'token issuer (iss) is not accepted',
  unknown_issuer: 'token issuer (iss) is not accepted',
  wrong_audience: 'token audience (aud) is not accepted',
  bad_credentials: 'credentials are not in the form Bearer <token>',
  inactive: 'token is not active',
  wrong_token_type: 'token is not an access token',
}

const PREFIXED_DESCRIPTIONS: Array<[string, (rest: string) => string]> = [
  ['missing_claim:', (claim) => `claim ${claim} is missing`],
  ['invalid_claim:', (claim) => `claim ${claim} is not valid`],
  ['unsupported_header:', (member) => `token header member ${member} is not accepted`],
  ['unforwardable_claim:', (claim) => `claim ${claim} cannot be forwarded in a header`],
]

// The reasons come from fixed lists and the configured claim names, so the map stays small; the
// bound only guards against a future reason that embeds something else.
const MAX_CACHED_REASONS = 128

/** `error_description` text for a rejection (RFC 6750 §3: printable ASCII without `"` and `\`). */
export function describeRejection(reason: TokenRejection): string {
  const fixed = FIXED_DESCRIPTIONS[reason]
  if (fixed !== undefined) return fixed
  for (const [prefix, describe] of PREFIXED_DESCRIPTIONS) {
    if (reason.startsWith(prefix)) return quotable(describe(reason.slice(prefix.length)))
  }
  return 'token is not valid'
}

function quotable(text: string): string {
  return text.replace(/[^\x20\x21\x23-\x5B\x5D-\x7E]/g, '?')
}

/** A policy instance's challenges, all sharing its realm. */
export class Challenges {
  /** No token at all: a challenge without an error code (RFC 6750 §3.1). */
  readonly missing: GatehouseError
  readonly queryTokenRefused: GatehouseError
  readonly otherScheme: GatehouseError
  readonly bothHeaderAndQuery: GatehouseError
  readonly repeatedHeader: GatehouseError
  readonly repeatedQueryToken: GatehouseError
  readonly #realm: string
  readonly #invalid = new Map<string, GatehouseError>()

  constructor(realm: string, headerName: string, scheme: string) {
    this.#realm = realm
    const bare = `Bearer realm="${realm}"`
    const headers = { 'www-authenticate': bare }
    const how = scheme === '' ? `the ${headerName} header` : `the ${headerName} header as '${scheme} <token>'`
    this.missing = new GatehouseError('GH_ERR_AUTH_TOKEN_MISSING', `an access token is required; send it in ${how}`, { headers })
    this.queryTokenRefused = new GatehouseError('GH_ERR_AUTH_TOKEN_MISSING', `access_token in the query string is not accepted on this route; send it in ${how}`, { headers })
    this.otherScheme = new GatehouseError('GH_ERR_AUTH_TOKEN_MISSING', `the ${headerName} header does not use the ${scheme} scheme`, { headers })
    this.bothHeaderAndQuery = this.#invalidRequest('the token is sent both in the header and in the access_token query parameter; use one')
    this.repeatedHeader = this.#invalidRequest(`more than one ${headerName} header`)
    this.repeatedQueryToken = this.#invalidRequest('more than one access_token query parameter')
  }

  /** 401 invalid_token naming the failed check; one shared error per reason. */
  invalidToken(reason: TokenRejection): GatehouseError {
    let error = this.#invalid.get(reason)
    if (error !== undefined) return error
    const description = describeRejection(reason)
    error = new GatehouseError('GH_ERR_AUTH_TOKEN_INVALID', `access token refused: ${description}`, {
      headers: { 'www-authenticate': `Bearer realm="${this.#realm}", error="invalid_token", error_description="${description}"` },
    })
    if (this.#invalid.size < MAX_CACHED_REASONS) this.#invalid.set(reason, error)
    return error
  }

  /** 403 insufficient_scope; `scopes` are all the scopes required (for `method`, when they depend on it). */
  insufficientScope(method: string | undefined, scopes: readonly string[], match: 'all' | 'any' = 'all'): GatehouseError {
    const required = scopes.join(' ')
    const needs = match === 'any' && scopes.length > 1 ? 'requires one of the scopes' : 'requires the scopes'
    return new GatehouseError('GH_ERR_AUTH_INSUFFICIENT_SCOPE', `${method === undefined ? 'this route' : `method ${method}`} ${needs}: ${required}`, {
      headers: { 'www-authenticate': `Bearer realm="${this.#realm}", error="insufficient_scope", scope="${required}"` },
    })
  }

  /** 403 for a method the route's scope map does not list: no token can be enough. */
  methodRefused(): GatehouseError {
    return new GatehouseError('GH_ERR_AUTH_INSUFFICIENT_SCOPE', 'this method is not allowed on this route (no scopes are configured for it)', {
      headers: { 'www-authenticate': `Bearer realm="${this.#realm}", error="insufficient_scope"` },
    })
  }

  /** 403 for a token whose client acts for a suspended consumer. */
  readonly consumerSuspended = new GatehouseError('GH_ERR_AUTH_CONSUMER_SUSPENDED', 'the consumer this client acts for is suspended')

  /**
   * 503 when the introspection endpoint cannot answer (down, slow, a bad answer) or too many calls
   * are in flight: the token cannot be checked, so it does not pass. The code is the one for
   * verification material that is not available.
   */
  introspectionUnavailable(why: string): GatehouseError {
    return new GatehouseError('GH_ERR_AUTH_INTROSPECTION_UNAVAILABLE', `the token could not be checked: ${why}`, { headers: { 'retry-after': '1' } })
  }

  /** 503 while an issuer's keys have never been loaded; nothing can be verified, so nothing passes. */
  keysUnavailable(issuer: string, retryAfterSeconds: number): GatehouseError {
    return new GatehouseError('GH_ERR_AUTH_KEYS_UNAVAILABLE', `the signing keys of issuer ${issuer} could not be loaded yet`, {
      headers: { 'retry-after': String(retryAfterSeconds) },
    })
  }

  #invalidRequest(description: string): GatehouseError {
    return new GatehouseError('GH_ERR_AUTH_BAD_REQUEST', description, {
      headers: { 'www-authenticate': `Bearer realm="${this.#realm}", error="invalid_request", error_description="${quotable(description)}"` },
    })
  }
}
