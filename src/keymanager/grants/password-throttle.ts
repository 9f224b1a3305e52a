// Counts failed password-grant logins per username in a fixed window (OAUTH-13). An attempt is
// counted before the password is checked and forgiven when it succeeds, so concurrent guesses
// cannot all slip past the limit while their hashes are still running. Throttled attempts never
// reach scrypt, so a flood of guesses costs no hashing. Unknown usernames are counted the same
// way, so being throttled tells nothing about whether a user exists.
import { FailureThrottle } from '../../kit/failure-throttle.ts'

export class PasswordThrottle {
  readonly #failures: FailureThrottle

  constructor(settings: { maxFailures: number; windowSeconds: number }, now: () => number) {
    this.#failures = new FailureThrottle(settings, { now })
  }

  /**
   * Seconds until `username` may try again (0: go ahead). When 0, the attempt is counted as a
   * failure until `succeeded` forgives it.
   */
  begin(username: string): number {
    const wait = this.#failures.retryAfter(username)
    if (wait > 0) return wait
    this.#failures.recordFailure(username)
    return 0
  }

  succeeded(username: string): void {
    this.#failures.forgive(username)
  }
}
