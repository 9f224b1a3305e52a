// Other processes sharing the store (cluster workers, `gatehouse keys rotate`) add signing keys
// that this process only learns of at its next maintenance, up to a minute later. The JWKS
// endpoint and introspection (on an unknown kid) re-read the keys sooner, but at most once per
// interval, so a flood of made-up kids cannot turn into a flood of store reads.
import type { KeyRing } from './keys/key-ring.ts'

export class KeysFreshness {
  readonly #keys: KeyRing
  readonly #intervalMs: number
  #lastReload = Date.now()
  #running: Promise<boolean> | null = null

  constructor(keys: KeyRing, intervalMs = 10_000) {
    this.#keys = keys
    this.#intervalMs = intervalMs
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
