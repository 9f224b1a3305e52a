// Counts failed password-grant logins per username in a fixed window (OAUTH-13). An attempt is
// counted before the password is checked and forgiven when it succeeds, so concurrent guesses
// cannot all slip past the limit while their hashes are still running. Throttled attempts never
// reach scrypt, so a flood of guesses costs no hashing. Unknown usernames are counted the same
// way, so being throttled tells nothing about whether a user exists.

const MAX_TRACKED = 10_000

interface Window {
  startedAt: number
  failures: number
}

export class PasswordThrottle {
  readonly #maxFailures: number
  readonly #windowSeconds: number
  readonly #now: () => number
  readonly #windows = new Map<string, Window>()

  constructor(settings: { maxFailures: number; windowSeconds: number }, now: () => number) {
    this.#maxFailures = settings.maxFailures
    this.#windowSeconds = settings.windowSeconds
    this.#now = now
  }

  /**
   * Seconds until `username` may try again (0: go ahead). When 0, the attempt is counted as a
   * failure until `succeeded` forgives it.
   */
  begin(username: string): number {
    const now = this.#now()
    let window = this.#windows.get(username)
    if (window !== undefined && now - window.startedAt >= this.#windowSeconds) {
      this.#windows.delete(username)
      window = undefined
    }
    if (window !== undefined && window.failures >= this.#maxFailures) return Math.max(1, Math.ceil(window.startedAt + this.#windowSeconds - now))
    if (window === undefined) {
      this.#makeRoom(now)
      window = { startedAt: now, failures: 0 }
      this.#windows.set(username, window)
    }
    window.failures++
    return 0
  }

  succeeded(username: string): void {
    this.#windows.delete(username)
  }

  // Bounded memory: drop finished windows, then the oldest ones (Map keeps insertion order).
  #makeRoom(now: number): void {
    if (this.#windows.size < MAX_TRACKED) return
    for (const [name, window] of this.#windows) if (now - window.startedAt >= this.#windowSeconds) this.#windows.delete(name)
    for (const name of this.#windows.keys()) {
      if (this.#windows.size < MAX_TRACKED) break
      this.#windows.delete(name)
    }
  }
}
