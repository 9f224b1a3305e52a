// An issuer's keys from its JWK Set URL (RFC 7517), kept fresh without a timer: the first fetch
// starts when its user is compiled (a jwt policy, a trusted issuer), later ones when a request finds the keys older than
// `refreshSeconds` (in the background: that request still uses the keys at hand). An unknown `kid`
// may trigger one extra fetch per `refetchCooldownSeconds`, so a flood of made-up kids costs the
// issuer at most one request per cooldown (JWT-16). A failed fetch changes nothing: the last good
// key set keeps working, and the next attempt waits for the cooldown too. Until a first set has
// been loaded, though, every request is refused (503), so the attempts come sooner: 1 s after the
// first failure, doubling up to the cooldown. An issuer that starts a moment after the gateway is
// then picked up within a second or two, and a down one still gets one fetch per interval at most.
// The process log is told once when fetches start failing (with the reason), once when they work
// again, and once per adopted document that had keys skipped: an operator facing 503s or
// `unknown_kid` refusals can see why, without a line per retry.
import { createHash } from 'node:crypto'
import { verificationKeyFromJwk, type VerificationKey } from './verification-key.ts'
import { fetchJwksText, MAX_JWKS_BYTES } from './jwks-fetch.ts'
import { keyLookup, type KeyLookup, type KeySource } from './key-lookup.ts'
import { FailureStreak } from '../core/failure-streak.ts'

/** Where a key set reports fetch failures, recoveries and skipped keys (the process log, as warnings). */
export type JwksLog = (event: string, fields: object) => void

export interface JwksOptions {
  uri: string
  refreshSeconds: number
  refetchCooldownSeconds: number
  fetchTimeoutMs: number
  maxBytes?: number
  /** Epoch milliseconds; tests move it by hand. */
  clock?: () => number
}

const EMPTY: KeyLookup = keyLookup(new Map(), [])
/** First retry after a failed fetch while no key set was ever loaded; doubles up to the cooldown. */
const FIRST_RETRY_MS = 1000

export class JwksKeySet implements KeySource {
  generation = 0
  lookup: KeyLookup = EMPTY
  /** Why the last fetch failed (no key material), or undefined after a success. */
  lastError: string | undefined = undefined
  /** Keys the last adopted set skipped, with the reason for each. */
  skippedKeys: string[] = []
  /** Fetches started so far. */
  fetches = 0
  /** Fetches that ended with a usable document (the same one again included), and those that failed. */
  fetchSuccesses = 0
  fetchFailures = 0
  /** Set by the first user that has a log (see sharedJwksKeySet). */
  log: JwksLog | undefined = undefined
  /** The JWK Set URL without credentials or query: how logs and metrics name it. */
  readonly where: string
  readonly #uri: URL
  readonly #refreshMs: number
  readonly #cooldownMs: number
  readonly #timeoutMs: number
  readonly #maxBytes: number
  readonly #clock: () => number
  #inflight: Promise<void> | null = null
  #nextFetchAt = 0
  #lastKidRefetchAt = -Infinity
  #bodyDigest = ''
  /** Failed fetches in a row since the last success (or since creation). */
  #failuresInRow = 0
  readonly #streak = new FailureStreak()

  constructor(options: JwksOptions) {
    this.#uri = new URL(options.uri)
    this.where = this.#uri.origin + this.#uri.pathname
    this.#refreshMs = options.refreshSeconds * 1000
    this.#cooldownMs = options.refetchCooldownSeconds * 1000
    this.#timeoutMs = options.fetchTimeoutMs
    this.#maxBytes = options.maxBytes ?? MAX_JWKS_BYTES
    this.#clock = options.clock ?? Date.now
  }

  get loaded(): boolean {
    return this.lookup.size > 0
  }

  /** The fetch under way, if any (it never rejects). */
  get fetching(): Promise<void> | undefined {
    return this.#inflight ?? undefined
  }

  refreshIfDue(nowMs: number): void {
    if (nowMs >= this.#nextFetchAt && this.#inflight === null) void this.#fetch()
  }

  loadNow(nowMs: number): Promise<void> | undefined {
    if (this.#inflight !== null) return this.#inflight
    return nowMs >= this.#nextFetchAt ? this.#fetch() : undefined
  }

  refetchForUnknownKid(nowMs: number): Promise<void> | undefined {
    if (this.#inflight !== null) return this.#inflight
    if (nowMs - this.#lastKidRefetchAt < this.#cooldownMs) return undefined
    this.#lastKidRefetchAt = nowMs
    return this.#fetch()
  }

  retryAfterSeconds(nowMs: number): number {
    return Math.max(1, Math.ceil((this.#nextFetchAt - nowMs) / 1000))
  }

  /** Never rejects: every outcome is recorded on the key set. */
  #fetch(): Promise<void> {
    this.fetches++
    const promise = fetchJwksText(this.#uri, this.#timeoutMs, this.#maxBytes).then(
      (text) => this.#adopt(text),
      (error: unknown) => this.#failed(error instanceof Error ? error.message : String(error)),
    )
    this.#inflight = promise
    return promise
  }

  #adopt(text: string): void {
    this.#inflight = null
    const digest = createHash('sha256').update(text).digest('base64url')
    if (digest === this.#bodyDigest) {
      // Same document as before: keep the parsed keys and the generation, so cached verdicts stay.
      this.#succeeded()
      return
    }
    let parsed: ParsedJwks
    try {
      parsed = parseJwks(text)
    } catch (error) {
      this.#failed(`JWKS ${this.#uri.origin}${this.#uri.pathname} ${(error as Error).message}`)
      return
    }
    this.lookup = parsed.lookup
    this.skippedKeys = parsed.skipped
    this.#bodyDigest = digest
    this.generation++
    if (parsed.skipped.length > 0) this.log?.('JWKS keys skipped: they cannot verify tokens', { jwksUri: this.where, skipped: parsed.skipped })
    this.#succeeded()
  }

  #succeeded(): void {
    this.fetchSuccesses++
    this.lastError = undefined
    this.#failuresInRow = 0
    this.#nextFetchAt = this.#clock() + this.#refreshMs
    if (this.#streak.succeeded()) this.log?.('JWKS fetch works again', { jwksUri: this.where })
  }

  #failed(message: string): void {
    this.#inflight = null
    this.fetchFailures++
    this.lastError = message
    const retryMs = this.loaded ? this.#cooldownMs : Math.min(this.#cooldownMs, FIRST_RETRY_MS * 2 ** Math.min(this.#failuresInRow, 30))
    this.#failuresInRow++
    this.#nextFetchAt = this.#clock() + retryMs
    if (this.#streak.failed()) {
      const consequence = this.loaded ? 'the last good keys stay in use' : 'tokens of this issuer are refused with 503 until a fetch works'
      this.log?.(`JWKS fetch failed; ${consequence}`, { jwksUri: this.where, error: message, retryInSeconds: retryMs / 1000 })
    }
  }
}

interface ParsedJwks {
  lookup: KeyLookup
  skipped: string[]
}

/**
 * Keys of a JWK Set document. Keys that cannot verify (private members, `use` other than `sig`,
 * an `alg` that disagrees with the key type, unsupported types) are skipped with a reason; a set
 * left without any usable key is refused as a whole, so it cannot replace a working one.
 */
export function parseJwks(text: string): ParsedJwks {
  let document: unknown
  try {
    document = JSON.parse(text)
  } catch {
    throw new Error('is not JSON')
  }
  const keys = (document as { keys?: unknown } | null)?.keys
  if (typeof document !== 'object' || Array.isArray(document) || !Array.isArray(keys)) throw new Error('is not a JWK Set (no "keys" array)')
  const byKid = new Map<string, VerificationKey>()
  const withoutKid: VerificationKey[] = []
  const skipped: string[] = []
  keys.forEach((jwk: unknown, index) => {
    const kid = (jwk as { kid?: unknown } | null)?.kid
    const name = typeof kid === 'string' ? `keys[${index}] (kid ${JSON.stringify(kid.slice(0, 64))})` : `keys[${index}]`
    if (kid !== undefined && typeof kid !== 'string') return skipped.push(`${name}: kid is not a string`)
    if (typeof kid === 'string' && byKid.has(kid)) return skipped.push(`${name}: kid used by an earlier key`)
    let key: VerificationKey
    try {
      key = verificationKeyFromJwk(jwk)
    } catch (error) {
      return skipped.push(`${name}: ${(error as Error).message}`)
    }
    if (typeof kid === 'string') byKid.set(kid, key)
    else withoutKid.push(key)
  })
  if (byKid.size + withoutKid.length === 0) throw new Error(`holds no usable key${skipped.length > 0 ? ` (${skipped.join('; ')})` : ''}`)
  return { lookup: keyLookup(byKid, withoutKid), skipped }
}

// Key sets shared by every policy instance with the same URL and fetch settings: a global jwt
// policy is compiled once per route, and a reload compiles everything again. Sharing means one
// fetch per issuer rather than one per route, and a reload while the issuer is down keeps the
// last good keys instead of starting empty. Weak references let a set go once no policy uses it.
const shared = new Map<string, WeakRef<JwksKeySet>>()
const forget = new FinalizationRegistry<string>((key) => {
  if (shared.get(key)?.deref() === undefined) shared.delete(key)
})

/** The shared key sets still in use (for metrics); a set no policy holds any more drops out once collected. */
export function liveJwksKeySets(): JwksKeySet[] {
  const live: JwksKeySet[] = []
  for (const ref of shared.values()) {
    const set = ref.deref()
    if (set !== undefined) live.push(set)
  }
  return live
}

/**
 * The key set for these options, shared with other policy instances; its first fetch is started.
 * `log` becomes the set's log unless an earlier user gave one.
 */
export function sharedJwksKeySet(options: Omit<JwksOptions, 'clock' | 'maxBytes'>, log?: JwksLog): JwksKeySet {
  const key = JSON.stringify([options.uri, options.refreshSeconds, options.refetchCooldownSeconds, options.fetchTimeoutMs])
  const existing = shared.get(key)?.deref()
  if (existing !== undefined) {
    existing.log ??= log
    return existing
  }
  const set = new JwksKeySet(options)
  set.log = log
  shared.set(key, new WeakRef(set))
  forget.register(set, key)
  set.refreshIfDue(Date.now())
  return set
}
