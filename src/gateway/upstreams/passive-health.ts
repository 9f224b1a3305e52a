import type { PassiveHealthCheckConfig } from '../../config/types.ts'

/** What the proxy saw go wrong on one attempt. */
export type UpstreamFailureKind = 'connect' | 'timeout' | 'reset' | 'protocol' | 'status-5xx'

export type PassiveTransition = 'ejected' | 're-ejected' | 'restored'

/**
 * Outlier ejection for one target, driven by the outcomes of real requests.
 *
 * `ejectedUntil` encodes the whole state: 0 means in rotation; a time in the future means
 * ejected; a time in the past means the ejection ran out and the target is back on probation,
 * where the next outcome decides: a success restores it (ejectedUntil = 0), a failure ejects it
 * again at once without waiting for a new run of failures.
 */
export class PassiveHealth {
  readonly #threshold: number
  readonly #ejectMs: number
  consecutiveFailures = 0
  ejectedUntil = 0
  lastFailure: UpstreamFailureKind | undefined = undefined

  constructor(config: PassiveHealthCheckConfig) {
    this.#threshold = config.consecutiveFailures
    this.#ejectMs = config.ejectMs
  }

  isEjectedAt(nowMs: number): boolean {
    return nowMs < this.ejectedUntil
  }

  isOnProbationAt(nowMs: number): boolean {
    return this.ejectedUntil !== 0 && nowMs >= this.ejectedUntil
  }

  recordFailure(nowMs: number, kind: UpstreamFailureKind): PassiveTransition | undefined {
    this.lastFailure = kind
    this.consecutiveFailures++
    // A threshold of 0 turns passive ejection off.
    if (this.#threshold === 0) return undefined
    if (this.isOnProbationAt(nowMs)) {
      this.ejectedUntil = nowMs + this.#ejectMs
      return 're-ejected'
    }
    // Already out: failures of requests sent before the ejection, or of panic traffic, do not
    // extend it; the target gets its probation at the time first announced.
    if (this.isEjectedAt(nowMs)) return undefined
    if (this.consecutiveFailures < this.#threshold) return undefined
    this.ejectedUntil = nowMs + this.#ejectMs
    return 'ejected'
  }

  recordSuccess(nowMs: number): PassiveTransition | undefined {
    this.consecutiveFailures = 0
    // A success while still ejected (a request sent before the ejection, or panic traffic) does
    // not cut the ejection short: a target failing half its requests would otherwise bounce back
    // in and out with every success. Only a success on probation restores it.
    if (!this.isOnProbationAt(nowMs)) return undefined
    this.ejectedUntil = 0
    return 'restored'
  }
}
