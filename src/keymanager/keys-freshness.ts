// Other processes sharing the store (cluster workers, `gatehouse keys rotate`) add signing keys
// that this process learns of at its next periodic re-read (every interval, see KeyManager). The
// JWKS endpoint and introspection (on an unknown kid) re-read the keys on demand, but at most once
// per interval, so a flood of made-up kids cannot turn into a flood of store reads.
import type { KeyRing } from './keys/key-ring.ts'

/** Default of KeyManagerOptions.keysRefreshIntervalMs. */
export const DEFAULT_KEYS_REFRESH_MS = 10_000

export class KeysFreshness {
  readonly #keys: KeyRing
  readonly #intervalMs: number
  #lastReload = Date.now()
  #running: Promise<boolean> | null = null

  constructor(keys: KeyRing, intervalMs = DEFAULT_KEYS_REFRESH_MS) {
    this.#keys = keys
    this.#intervalMs = intervalMs
  }

  /** The least time between two on-demand re-reads. */
  get intervalMs(): number {
    return this.#intervalMs
  }

  /** Re-reads the keys unless that happened within the interval; true when it did. */
  refresh(): Promise<boolean> {
    if (this.#running !== null) return this.#running
    if (Date.now() - this.#lastReload < this.#intervalMs) return Promise.resolve(false)
    this.#lastReload = Date.now()
    this.#running = this.#keys.reload().then(() => true, () => false).finally(() => (this.#running = null))
    return this.#running
  }
}
