// Tokens checked at an RFC 7662 introspection endpoint, with two caches keyed by the token's
// SHA-256 digest: active answers for `ttlSeconds` but never past the token's `exp` (OAUTH-15: an
// `active:true` answer is not reused once the token has expired), and refusals for the shorter
// `negativeTtlSeconds`, so a flood of one bad token costs the endpoint one call per interval.
// Requests for the same token while a call runs wait for that call. An endpoint that cannot answer
// means the token cannot be checked: the request is refused with 503 (fail closed), never let through.
// The process log hears once when calls start failing (with the reason: unreachable, a timeout, a
// 401 for the gateway's own client credentials, …) and once when they work again, not per request.
import { credentialDigest } from '../../core/credential-digest.ts'
import { GatehouseError } from '../../core/errors/gatehouse-error.ts'
import type { Challenges, TokenRejection } from './challenges.ts'
import { IntrospectionClient, type IntrospectionAnswer } from './introspection-client.ts'
import type { IntrospectionSettings } from './schema.ts'
import { TokenCache, type Expiring } from './token-cache.ts'
import { verifiedIdentity, type IdentityField, type VerdictSource, type VerifiedIdentity } from './verified-identity.ts'
import { FailureStreak } from '../../core/failure-streak.ts'

interface Refusal extends Expiring {
  readonly refusal: GatehouseError
}

type Outcome = { identity: VerifiedIdentity } | { refusal: GatehouseError }

// Introspection verdicts are not tied to keys; this source never changes.
const ENDPOINT: VerdictSource = Object.freeze({ generation: 0 })

export class Introspector {
  readonly #client: IntrospectionClient
  readonly #settings: IntrospectionSettings
  readonly #audience: ReadonlySet<string> | undefined
  readonly #fields: readonly IdentityField[]
  readonly #challenges: Challenges
  readonly #active: TokenCache<VerifiedIdentity> | null
  readonly #refused: TokenCache<Refusal> | null
  readonly #inflight = new Map<string, Promise<Outcome>>()
  readonly #busy: GatehouseError
  readonly #log: ((event: string, fields: object) => void) | undefined
  readonly #endpoint: string
  readonly #streak = new FailureStreak()

  constructor(settings: IntrospectionSettings, fields: readonly IdentityField[], challenges: Challenges, log?: (event: string, fields: object) => void) {
    this.#client = new IntrospectionClient(settings)
    this.#log = log
    const url = new URL(settings.endpoint)
    // Named without credentials or query, as the client's own error messages do.
    this.#endpoint = url.origin + url.pathname
    this.#settings = settings
    const audience = settings.audience
    this.#audience = audience === undefined ? undefined : new Set(typeof audience === 'string' ? [audience] : audience)
    this.#fields = fields
    this.#challenges = challenges
    const { maxEntries, ttlSeconds, negativeTtlSeconds } = settings.cache
    this.#active = maxEntries > 0 && ttlSeconds > 0 ? new TokenCache(maxEntries) : null
    this.#refused = maxEntries > 0 && negativeTtlSeconds > 0 ? new TokenCache(maxEntries) : null
    // Built once: a flood is exactly when this is thrown most.
    this.#busy = challenges.introspectionUnavailable('too many token introspections are in flight')
  }

  /**
   * The identity the endpoint vouches for: from the cache synchronously, otherwise after one call
   * (shared with concurrent requests for the same token). Throws or rejects with the refusal.
   */
  check(token: string, nowMs: number): VerifiedIdentity | Promise<VerifiedIdentity> {
    const digest = credentialDigest(token)
    const known = this.#active?.get(digest, nowMs)
    if (known !== undefined) return known
    const refused = this.#refused?.get(digest, nowMs)
    if (refused !== undefined) throw refused.refusal
    let pending = this.#inflight.get(digest)
    if (pending === undefined) {
      if (this.#inflight.size >= this.#settings.maxConcurrent) throw this.#busy
      pending = this.#introspect(token, digest)
      this.#inflight.set(digest, pending)
      const done = (): void => {
        this.#inflight.delete(digest)
      }
      pending.then(done, done)
    }
    return pending.then((outcome) => {
      if ('refusal' in outcome) throw outcome.refusal
      return outcome.identity
    })
  }

  /** Never rejects: a failed call becomes a 503 outcome (not cached); a verdict is cached. */
  async #introspect(token: string, digest: string): Promise<Outcome> {
    let answer: IntrospectionAnswer
    try {
      answer = await this.#client.introspect(token)
    } catch (error) {
      const reason = (error as Error).message
      if (this.#streak.failed()) this.#log?.('token introspection failed; requests needing it are refused with 503 until it answers', { endpoint: this.#endpoint, error: reason })
      return { refusal: this.#challenges.introspectionUnavailable(reason) }
    }
    if (this.#streak.succeeded()) this.#log?.('token introspection works again', { endpoint: this.#endpoint })
    const nowMs = Date.now()
    let identity: VerifiedIdentity
    try {
      identity = this.#vouchedFor(answer, nowMs)
    } catch (error) {
      // Only the policy's own refusals come from here; anything else is a bug worth a 500.
      const refusal = error instanceof GatehouseError ? error : new GatehouseError('GH_ERR_POLICY_FAILED', 'jwt: an introspection answer could not be read', { cause: error })
      if (refusal.status === 401) this.#refused?.set(digest, { refusal, expiresAtMs: nowMs + this.#settings.cache.negativeTtlSeconds * 1000 }, nowMs)
      return { refusal }
    }
    // Kept for the TTL, and never past the token's own expiry (OAUTH-15).
    const expiresAtMs = Math.min(nowMs + this.#settings.cache.ttlSeconds * 1000, identity.expiresAtMs)
    const cached: VerifiedIdentity = Object.freeze({ ...identity, expiresAtMs })
    this.#active?.set(digest, cached, nowMs)
    return { identity: cached }
  }

  /** The identity of an active answer that passes the route's checks; throws the 401 otherwise. */
  #vouchedFor(answer: IntrospectionAnswer, nowMs: number): VerifiedIdentity {
    const reason = reasonOf(answer, this.#settings, this.#audience, nowMs)
    if (reason !== undefined) throw this.#challenges.invalidToken(reason)
    return verifiedIdentity(answer, ENDPOINT, 0, this.#fields, this.#challenges)
  }
}

/** Why an answer does not let the token in, or undefined when it does. */
function reasonOf(answer: IntrospectionAnswer, settings: IntrospectionSettings, audience: ReadonlySet<string> | undefined, nowMs: number): TokenRejection | undefined {
  if (answer.active !== true) return 'inactive'
  // RFC 7662 §2.2: token_type as in RFC 6749 §7.1. A refresh token is not a bearer access token.
  const type = answer.token_type
  if (type !== undefined && (typeof type !== 'string' || type.toLowerCase() !== 'bearer')) return 'wrong_token_type'
  const exp = answer.exp
  if (exp !== undefined && (typeof exp !== 'number' || !Number.isFinite(exp))) return 'invalid_claim:exp'
  if (typeof exp === 'number' && exp * 1000 <= nowMs) return 'expired'
  if (settings.issuer !== undefined && answer.iss !== settings.issuer) return 'wrong_issuer'
  if (audience !== undefined) {
    const aud = answer.aud
    const named = typeof aud === 'string' ? audience.has(aud) : Array.isArray(aud) && aud.some((entry) => typeof entry === 'string' && audience.has(entry))
    if (!named) return 'wrong_audience'
  }
  return undefined
}
