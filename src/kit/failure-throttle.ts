// Counts failures per key (a client address, a username) in a fixed window: once a key has
// `maxFailures` failures in its window, it is refused until the window ends. The window starts at
// the key's first failure and is not extended by refused attempts, so Retry-After is exact.
//
// Memory is bounded: at most `maxTracked` keys are kept. Windows all have the same length and a
// key's window is only ever (re)started by inserting it at the end of the Map, so the Map's
// insertion order is the order windows started in: finished and oldest windows are at its front,
// and making room costs one step per evicted key, never a scan of the whole Map.

/** How many failures a key may have within one window. */
export interface FailureLimit {
  /** Failures allowed per window; the next attempt is refused until the window ends. */
  maxFailures: number
  windowSeconds: number
}

export interface FailureThrottleOptions {
  /** Most keys tracked at once (default 10 000); past it the oldest windows are forgotten. */
  maxTracked?: number
  /** Clock in seconds; default the wall clock. */
  now?: () => number
}

const DEFAULT_MAX_TRACKED = 10_000

interface Window {
  startedAt: number
  failures: number
}

export class FailureThrottle {
  readonly #maxFailures: number
  readonly #windowSeconds: number
  readonly #maxTracked: number
  readonly #now: () => number
  readonly #windows = new Map<string, Window>()

  constructor(limit: FailureLimit, options: FailureThrottleOptions = {}) {
    this.#maxFailures = limit.maxFailures
    this.#windowSeconds = limit.windowSeconds
    this.#maxTracked = options.maxTracked ?? DEFAULT_MAX_TRACKED
    this.#now = options.now ?? (() => Date.now() / 1000)
  }

  /** Keys with a window (finished ones included until they are looked at or evicted). */
  get tracked(): number {
    return this.#windows.size
  }

  /**
   * Seconds until `key` may try again (at least 1), or 0 when it may now. Cheap for the common
   * case: with no failures recorded at all it reads nothing but the Map's size, and for a key
   * without failures it costs one Map lookup; neither reads the clock nor allocates.
   */
  retryAfter(key: string): number {
    if (this.#windows.size === 0) return 0
    const window = this.#windows.get(key)
    if (window === undefined || window.failures < this.#maxFailures) return 0
    const now = this.#now()
    const left = window.startedAt + this.#windowSeconds - now
    if (left <= 0) {
      this.#windows.delete(key)
      return 0
    }
    // A wall clock set back could make `left` longer than a window; never ask for more than one.
    return Math.min(this.#windowSeconds, Math.max(1, Math.ceil(left)))
  }

  /** Counts one failure of `key`; true when this failure used up the last one the window allows. */
  recordFailure(key: string): boolean {
    const now = this.#now()
    let window = this.#windows.get(key)
    if (window !== undefined && now - window.startedAt >= this.#windowSeconds) {
      this.#windows.delete(key)
      window = undefined
    }
    if (window === undefined) {
      this.#makeRoom(now)
      window = { startedAt: now, failures: 0 }
      this.#windows.set(key, window)
    }
    window.failures++
    return window.failures === this.#maxFailures
  }

  /** Forgets the failures of `key` (e.g. after it proved itself). */
  forgive(key: string): void {
    this.#windows.delete(key)
  }

  // Drops finished windows from the front, then the oldest ones until there is room for one more.
  #makeRoom(now: number): void {
    for (const [key, window] of this.#windows) {
      if (this.#windows.size < this.#maxTracked && now - window.startedAt < this.#windowSeconds) return
      this.#windows.delete(key)
    }
  }
}
