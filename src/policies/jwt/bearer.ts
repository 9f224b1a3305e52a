// Reading the access token from the request (RFC 6750 §2): the configured header, `<scheme> <token>`
// with the scheme compared case-insensitively and exactly one space, or, when a route allows it,
// the `access_token` query parameter. A request that uses both, or repeats either, is refused as
// `invalid_request` instead of picking one: a gateway and an upstream that picked differently
// would authenticate one token and act on another.
import type { RequestContext } from '../../kit/context.ts'
import type { Challenges } from './challenges.ts'

export interface TokenSourceRules {
  /** Lower-case name of the token header. */
  header: string
  /** Lower-case scheme; empty when the header holds the bare token. */
  scheme: string
  allowQueryToken: boolean
  maxTokenBytes: number
}

// RFC 6750 §2.1 b64token. A JWS only ever uses the base64url subset, but anything outside this
// (a second space, a second token, a comma) is a malformed credential, not a token.
const B64TOKEN = /^[A-Za-z0-9\-._~+/]+=*$/
const QUERY_PARAMETER = 'access_token'
// Cheap pre-check: a query that cannot name access_token skips the split.
const MAYBE_QUERY_TOKEN = /access|%/i

/**
 * The request's token, or a thrown GatehouseError: missing (401, no error code), refused query
 * token (401), too large (401 invalid_token), header and query both used or repeated (400
 * invalid_request). An accepted query token is removed from the upstream path.
 *
 * The RFC 6750 b64token syntax is not checked here: a caller first looks the token up among
 * tokens it has already verified (each of which passed that check), since a scan of every
 * character is the dearest part of reading a 500-byte token. The caller must call
 * requireTokenSyntax before doing anything else with a token it does not know.
 */
export function readUncheckedToken(ctx: RequestContext, rules: TokenSourceRules, challenges: Challenges): string {
  // The raw header list, not node's header object: that object keeps only the first of repeated
  // Authorization fields and is built lazily, so reading it would cost an allocation per request.
  const raw = ctx.request.raw.rawHeaders
  const wanted = rules.header
  let value: string | undefined
  for (let i = 0; i < raw.length; i += 2) {
    const name = raw[i]
    if (name.length !== wanted.length || name.toLowerCase() !== wanted) continue
    if (value !== undefined) throw challenges.repeatedHeader
    value = raw[i + 1]
  }
  const query = ctx.request.query
  const queryTokens = query === '' || !MAYBE_QUERY_TOKEN.test(query) ? 0 : countQueryTokens(query)

  let headerToken: string | undefined
  let otherScheme = false
  if (value !== undefined) {
    headerToken = tokenFromHeader(value, rules)
    if (headerToken === undefined) otherScheme = true
  }
  if (headerToken !== undefined) {
    if (queryTokens > 0) throw challenges.bothHeaderAndQuery
    if (headerToken === '') throw challenges.invalidToken('bad_credentials')
    if (headerToken.length > rules.maxTokenBytes) throw challenges.invalidToken('token_too_large')
    return headerToken
  }
  if (queryTokens === 0) throw otherScheme ? challenges.otherScheme : challenges.missing
  if (!rules.allowQueryToken) throw challenges.queryTokenRefused
  if (queryTokens > 1) throw challenges.repeatedQueryToken
  const token = queryTokenValue(query)
  if (token === undefined || token === '') throw challenges.invalidToken('bad_credentials')
  if (token.length > rules.maxTokenBytes) throw challenges.invalidToken('token_too_large')
  ctx.upstream.path = withoutQueryToken(ctx.upstream.path)
  return token
}

/** RFC 6750 §2.1: a token outside the b64token syntax is malformed credentials (401 invalid_token). */
export function requireTokenSyntax(token: string, challenges: Challenges): void {
  if (!B64TOKEN.test(token)) throw challenges.invalidToken('bad_credentials')
}

/**
 * The text after `<scheme> ` ('' when nothing usable follows the scheme), or undefined when the
 * header uses another scheme (e.g. Basic), which is treated as "no bearer token".
 */
function tokenFromHeader(value: string, rules: TokenSourceRules): string | undefined {
  const scheme = rules.scheme
  if (scheme === '') return value
  let end = 0
  while (end < value.length && value.charCodeAt(end) !== 32 && value.charCodeAt(end) !== 9) end++
  if (end !== scheme.length || value.slice(0, end).toLowerCase() !== scheme) return undefined
  // Exactly one space: `Bearer  t` leaves ' t', which the b64token check then refuses.
  if (end === value.length || value.charCodeAt(end) !== 32) return ''
  return value.slice(end + 1)
}

function countQueryTokens(query: string): number {
  let count = 0
  for (const part of query.split('&')) if (isQueryToken(part)) count++
  return count
}

function queryTokenValue(query: string): string | undefined {
  for (const part of query.split('&')) {
    if (!isQueryToken(part)) continue
    const eq = part.indexOf('=')
    if (eq === -1) return undefined
    try {
      return decodeURIComponent(part.slice(eq + 1).replaceAll('+', ' '))
    } catch {
      return undefined
    }
  }
  return undefined
}

/** `access_token`, also when percent-encoded or in another case, as the access log's redaction reads it. */
function isQueryToken(part: string): boolean {
  const eq = part.indexOf('=')
  const name = eq === -1 ? part : part.slice(0, eq)
  if (name.indexOf('%') === -1 && name.indexOf('+') === -1) return name.length === QUERY_PARAMETER.length && name.toLowerCase() === QUERY_PARAMETER
  try {
    return decodeURIComponent(name.replaceAll('+', ' ')).toLowerCase() === QUERY_PARAMETER
  } catch {
    return false
  }
}

/** The upstream path with every access_token parameter removed (and the `?` when nothing is left). */
export function withoutQueryToken(pathWithQuery: string): string {
  const start = pathWithQuery.indexOf('?')
  if (start === -1) return pathWithQuery
  const kept = pathWithQuery.slice(start + 1).split('&').filter((part) => !isQueryToken(part))
  return kept.length === 0 ? pathWithQuery.slice(0, start) : `${pathWithQuery.slice(0, start)}?${kept.join('&')}`
}
