// What a verified token means for the request: the identity (RFC 9068 §2.2 claims: `sub`,
// `client_id` or else `azp`, `scope` or else `scp`) and the values of the configured identity
// headers, worked out once per token and kept in the token cache with it.
import type { JwtPayload } from '../../jose/verify-jwt.ts'
import type { Challenges } from './challenges.ts'
import type { Expiring } from './token-cache.ts'

/** What a verdict was reached with: a key source whose generation moves when its keys change. */
export interface VerdictSource {
  readonly generation: number
}

export interface VerifiedIdentity extends Expiring {
  readonly subject: string | undefined
  readonly clientId: string | undefined
  readonly scopes: readonly string[]
  /** Value per identity header, in IDENTITY_FIELDS order; undefined where the token has none. */
  readonly headerValues: ReadonlyArray<string | undefined>
  /** The keys the token was verified with (or the introspection endpoint), and their generation at the time. */
  readonly keys: VerdictSource
  readonly generation: number
}

/** Identity headers whose values come from the token itself (the consumer id comes from the directory). */
export const IDENTITY_FIELDS = ['subject', 'clientId', 'scopes'] as const
export type IdentityField = (typeof IDENTITY_FIELDS)[number]

// A header value must be printable ASCII without leading or trailing space: a claim holding CR/LF
// would otherwise inject header fields into the upstream request, and non-ASCII text has no
// agreed encoding in a header.
const HEADER_SAFE = /^[\x21-\x7E](?:[\x20-\x7E]*[\x21-\x7E])?$/

const NO_SCOPES: readonly string[] = Object.freeze([])

/**
 * Builds the identity of a verified payload; throws a 401 invalid_token when a claim has the wrong
 * type or cannot be forwarded in a configured header. `fields` lists the identity headers in use.
 */
export function verifiedIdentity(
  payload: JwtPayload,
  keys: VerdictSource,
  generation: number,
  fields: readonly IdentityField[],
  challenges: Challenges,
): VerifiedIdentity {
  // The verifier has checked that sub is a string; an introspection answer is checked here.
  if (Object.hasOwn(payload, 'sub') && payload.sub !== null && typeof payload.sub !== 'string') throw challenges.invalidToken('invalid_claim:sub')
  const subject = (payload.sub ?? undefined) as string | undefined
  const clientId = stringClaim(payload, 'client_id', challenges) ?? stringClaim(payload, 'azp', challenges)
  const scopes = scopesOf(payload, challenges)
  const headerValues = fields.map((field) => {
    const value = field === 'subject' ? subject : field === 'clientId' ? clientId : scopes.length === 0 ? undefined : scopes.join(' ')
    if (value === undefined || value === '') return undefined
    if (!HEADER_SAFE.test(value)) throw challenges.invalidToken(`unforwardable_claim:${field === 'subject' ? 'sub' : field === 'clientId' ? 'client_id' : 'scope'}`)
    return value
  })
  // Only tokens with exp are cached (see token-cache.ts); the others get Infinity and the caller skips them.
  const exp = payload.exp
  return Object.freeze({
    subject,
    clientId,
    scopes,
    headerValues,
    keys,
    generation,
    expiresAtMs: typeof exp === 'number' ? exp * 1000 : Infinity,
  })
}

function stringClaim(payload: JwtPayload, name: string, challenges: Challenges): string | undefined {
  if (!Object.hasOwn(payload, name) || payload[name] === null) return undefined
  const value = payload[name]
  if (typeof value !== 'string') throw challenges.invalidToken(`invalid_claim:${name}`)
  return value
}

/** `scope` (a space-separated string, RFC 9068) or else `scp` (a list or a string, as some issuers send). */
function scopesOf(payload: JwtPayload, challenges: Challenges): readonly string[] {
  if (Object.hasOwn(payload, 'scope') && payload.scope !== null) {
    if (typeof payload.scope !== 'string') throw challenges.invalidToken('invalid_claim:scope')
    return splitScopes(payload.scope)
  }
  if (Object.hasOwn(payload, 'scp') && payload.scp !== null) {
    const scp = payload.scp
    if (typeof scp === 'string') return splitScopes(scp)
    if (!Array.isArray(scp) || scp.some((scope) => typeof scope !== 'string' || scope === '' || scope.includes(' '))) throw challenges.invalidToken('invalid_claim:scp')
    return Object.freeze([...(scp as string[])])
  }
  return NO_SCOPES
}

function splitScopes(text: string): readonly string[] {
  if (text === '') return NO_SCOPES
  return Object.freeze(text.split(' ').filter((scope) => scope !== ''))
}
