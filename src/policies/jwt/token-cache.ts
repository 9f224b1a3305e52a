// Verified tokens by the SHA-256 digest of their text (`credentialDigest`), so a token reused
// across requests costs one hash and one map lookup instead of a signature check. The digest is
// the key, never the token: a heap dump or a debugger then shows no usable credential. Entries
// are dropped at their token's `exp` (checked on every hit) and, when the cache is full, by the
// clock algorithm: an entry read since the hand last passed gets a second chance, so a hit costs
// a flag write, not a reordering. The hand is a live iterator over the map, kept between
// evictions: starting every eviction from the front would walk over the holes deleted entries
// leave there, a few microseconds each time on a full cache of fresh tokens.

export interface Expiring {
  /** Epoch milliseconds after which the entry must never be returned. */
  readonly expiresAtMs: number
}

interface Slot<V> {
  value: V
  referenced: boolean
  /** The sweep of the hand during which the entry was added; the hand leaves it for the next one. */
  sweep: number
}

export class TokenCache<V extends Expiring> {
  readonly maxEntries: number
  readonly #slots = new Map<string, Slot<V>>()
  #hand: MapIterator<[string, Slot<V>]> | undefined
  #sweep = 0

  constructor(maxEntries: number) {
    this.maxEntries = maxEntries
  }

  get size(): number {
    return this.#slots.size
  }

  get(digest: string, nowMs: number): V | undefined {
    const slot = this.#slots.get(digest)
    if (slot === undefined) return undefined
    if (nowMs >= slot.value.expiresAtMs) {
      this.#slots.delete(digest)
      return undefined
    }
    slot.referenced = true
    return slot.value
  }

  set(digest: string, value: V, nowMs: number): void {
    if (this.maxEntries === 0 || nowMs >= value.expiresAtMs) return
    const slots = this.#slots
    const existing = slots.get(digest)
    if (existing !== undefined) {
      existing.value = value
      return
    }
    if (slots.size >= this.maxEntries) this.#evictOne(nowMs)
    slots.set(digest, { value, referenced: false, sweep: this.#sweep })
  }

  delete(digest: string): void {
    this.#slots.delete(digest)
  }

  /**
   * Moves the hand to the first entry it may take: expired, or neither read since the hand last
   * passed nor added during this sweep (an entry just added sits ahead of the hand and would
   * otherwise be the next to go). Read entries lose their flag. Two sweeps at most clear every
   * flag and age every entry, so this always ends.
   */
  #evictOne(nowMs: number): void {
    const slots = this.#slots
    for (let visited = 0; visited <= 2 * slots.size + 1; visited++) {
      let step = this.#hand?.next()
      if (step === undefined || step.done === true) {
        this.#sweep++
        this.#hand = slots.entries()
        step = this.#hand.next()
        if (step.done === true) return
      }
      const [digest, slot] = step.value
      if (nowMs >= slot.value.expiresAtMs || (!slot.referenced && slot.sweep !== this.#sweep)) {
        slots.delete(digest)
        return
      }
      slot.referenced = false
    }
  }
}
