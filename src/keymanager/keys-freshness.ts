// Other processes sharing the store (cluster workers, `gatehouse keys rotate`) add signing keys.
// This process re-reads the keys every `periodMs` (the key manager's timer calls `reread`), so it
// publishes, verifies and signs with such a key within that time. The JWKS endpoint and
// introspection (on an unknown kid) may re-read sooner, on demand, but at most once per interval,
// so a flood of made-up kids cannot turn into a flood of store reads. Both kinds share one read in
// flight and one last-read time, and a failing read is logged once per outage, not per attempt.
import { FailureStreak } from '../core/failure-streak.ts'
import type { KeyRing } from './keys/key-ring.ts'
import type { KeyManagerLog } from './services.ts'

/** Default of KeyManagerOptions.keysRefreshIntervalMs. */
export const DEFAULT_KEYS_REFRESH_MS = 10_000
// The periodic re-read's floor: an on-demand interval of 0 (tests) must not become a busy timer.
const MIN_PERIOD_MS = 1000

export class KeysFreshness {
  readonly #keys: KeyRing
  readonly #intervalMs: number
  readonly #log: KeyManagerLog
  readonly #streak = new FailureStreak()
  #lastReload = Date.now()
  #running: Promise<boolean> | null = null

  constructor(keys: KeyRing, intervalMs = DEFAULT_KEYS_REFRESH_MS, log: KeyManagerLog = () => {}) {
    this.#keys = keys
    this.#intervalMs = intervalMs
    this.#log = log
  }

  /** How often the key manager's timer should call `reread`. */
  get periodMs(): number {
    return Math.max(this.#intervalMs, MIN_PERIOD_MS)
  }

  /** On demand: re-reads the keys unless that happened within the interval; true when it did. */
  refresh(): Promise<boolean> {
    if (this.#running !== null) return this.#running
    if (Date.now() - this.#lastReload < this.#intervalMs) return Promise.resolve(false)
    return this.#read()
  }

  /** Periodic: re-reads the keys now, or joins the read already under way; true when it worked. */
  reread(): Promise<boolean> {
    return this.#running ?? this.#read()
  }

  #read(): Promise<boolean> {
    this.#lastReload = Date.now()
    this.#running = this.#keys.reload().then(
      () => {
        if (this.#streak.succeeded()) this.#log('info', 're-reading the signing keys works again')
        return true
      },
      (error: unknown) => {
        if (this.#streak.failed()) this.#log('error', 're-reading the signing keys failed; the keys at hand stay in use', { error: String((error as Error)?.stack ?? error) })
        return false
      },
    ).finally(() => (this.#running = null))
    return this.#running
  }
}
