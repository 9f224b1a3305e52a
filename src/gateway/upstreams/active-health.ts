import type { ActiveHealthCheckConfig } from '../../config/types.ts'

/** Outcome of one health-check request. `detail` says what was seen, e.g. `status 503`. */
export interface ProbeResult {
  ok: boolean
  detail: string
}

export type ActiveTransition = 'healthy' | 'unhealthy'

/**
 * Health of one target as seen by the active checker: it flips to unhealthy after
 * `unhealthyThreshold` failed checks in a row and back after `healthyThreshold` passed ones, so a
 * single lost probe does not take a target out, nor does a single answer bring one back.
 * Targets start healthy so a freshly started gateway serves at once; the first checks run
 * immediately and take a dead target out within `unhealthyThreshold` intervals.
 */
export class ActiveHealth {
  readonly #healthyThreshold: number
  readonly #unhealthyThreshold: number
  healthy = true
  consecutiveSuccesses = 0
  consecutiveFailures = 0
  lastFailure: string | undefined = undefined

  constructor(config: ActiveHealthCheckConfig | undefined) {
    this.#healthyThreshold = config?.healthyThreshold ?? 1
    this.#unhealthyThreshold = config?.unhealthyThreshold ?? 1
  }

  record(result: ProbeResult): ActiveTransition | undefined {
    if (result.ok) {
      this.consecutiveFailures = 0
      this.consecutiveSuccesses++
      if (this.healthy || this.consecutiveSuccesses < this.#healthyThreshold) return undefined
      this.healthy = true
      return 'healthy'
    }
    this.lastFailure = result.detail
    this.consecutiveSuccesses = 0
    this.consecutiveFailures++
    if (!this.healthy || this.consecutiveFailures < this.#unhealthyThreshold) return undefined
    this.healthy = false
    return 'unhealthy'
  }
}
