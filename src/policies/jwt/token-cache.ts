// Verified tokens by the SHA-256 digest of their text, so a token reused across requests costs one
// hash and one map lookup instead of a signature check. The digest is the key, never the token:
// a heap dump or a debugger then shows no usable credential. Entries are dropped at their token's
// `exp` (checked on every hit) and, when the cache is full, by the clock algorithm: an entry read
// since the hand last passed gets a second chance, so a hit costs a flag write, not a reordering.

export interface Expiring {
  /** Epoch milliseconds after which the entry must never be returned. */
  readonly expiresAtMs: number
}

interface Slot<V> {
  value: V
  referenced: boolean
}

export class TokenCache<V extends Expiring> {
  readonly maxEntries: number
  readonly #slots = new Map<string, Slot<V>>()

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
    if (!slots.has(digest) && slots.size >= this.maxEntries) this.#evictOne(nowMs)
    slots.set(digest, { value, referenced: false })
  }

  delete(digest: string): void {
    this.#slots.delete(digest)
  }

  /**
   * Removes the oldest entry not read since its last pass; read ones move to the back with their
   * flag cleared. Expired entries met on the way go first. Map iteration visits re-inserted keys
   * again, so a full round at most clears every flag and the next visit evicts.
   */
  #evictOne(nowMs: number): void {
    const slots = this.#slots
    for (const [digest, slot] of slots) {
      if (nowMs >= slot.value.expiresAtMs || !slot.referenced) {
        slots.delete(digest)
        return
      }
      slot.referenced = false
      slots.delete(digest)
      slots.set(digest, slot)
    }
  }
}
