import { performance } from 'node:perf_hooks'
import type { UpstreamConfig } from '../../config/types.ts'
import { GatehouseError } from '../../core/errors/gatehouse-error.ts'
import type { ProbeResult } from './active-health.ts'
import { ActiveHealthChecker } from './active-health-checker.ts'
import { checkUpstreamConfig } from './check-upstream-config.ts'
import { LeastConnections } from './least-connections.ts'
import type { UpstreamFailureKind } from './passive-health.ts'
import { type Balancer, PickFilter } from './pick-filter.ts'
import { SmoothWeightedRoundRobin } from './smooth-weighted-round-robin.ts'
import { parseTargetAddress } from './target-address.ts'
import { Target } from './target.ts'

export type { UpstreamFailureKind } from './passive-health.ts'

export interface TargetSetOptions {
  /** Monotonic milliseconds; ejection periods are measured with it. */
  now?: () => number
  /** Receives health transitions (events listed in this folder's README). A logger that throws is ignored. */
  log?: (event: string, fields: object) => void
}

export interface TargetHealthReport {
  upstream: string
  target: string
  healthy: boolean
  reason?: string
}

/** The targets of one upstream: which one gets the next request, and which are fit to. */
export class TargetSet {
  readonly name: string
  readonly targets: readonly Target[]
  readonly #balancer: Balancer
  readonly #filter = new PickFilter()
  readonly #now: () => number
  readonly #log: (event: string, fields: object) => void
  readonly #checker: ActiveHealthChecker | undefined
  #panic = false

  /** @throws GatehouseError `GH_ERR_CONFIG_INVALID` naming the offending field. */
  constructor(config: UpstreamConfig, options: TargetSetOptions = {}) {
    checkUpstreamConfig(config)
    this.name = config.name
    // performance.now(), not Date.now(): a wall-clock step must not end or stretch an ejection.
    this.#now = options.now ?? (() => performance.now())
    this.#log = options.log ?? (() => {})
    this.targets = Object.freeze(buildTargets(config, this.#now))
    this.#balancer = config.balancing === 'least-connections' ? new LeastConnections(this.targets) : new SmoothWeightedRoundRobin(this.targets)
    const active = config.healthCheck.active
    this.#checker = active === undefined ? undefined : new ActiveHealthChecker(this.targets, active, (target, result) => this.#onProbe(target, result))
  }

  /**
   * Next target by the configured balancing. `exclude`: targets this request already tried (for
   * retries). Undefined when no target may take the request: the proxy answers 503
   * `GH_ERR_UPSTREAM_UNAVAILABLE`. When every target is unavailable, panic mode applies (README).
   */
  pick(exclude?: ReadonlySet<Target> | Target): Target | undefined {
    const filter = this.#filter
    filter.nowMs = this.#now()
    if (exclude instanceof Target) {
      filter.excludedOne = exclude
      filter.excludedSet = undefined
    } else {
      filter.excludedOne = undefined
      filter.excludedSet = exclude
    }
    filter.ignoreEjections = false
    const chosen = this.#balancer.next(filter)
    if (chosen !== undefined) {
      if (this.#panic) this.#setPanic(false)
      return chosen
    }
    // Nothing accepted. Either the available targets were all excluded (a retry with nowhere
    // else to go) or no target is available at all, which is panic.
    if (this.#anyAvailable(filter.nowMs)) {
      if (this.#panic) this.#setPanic(false)
      return undefined
    }
    if (!this.#panic) this.#setPanic(true)
    filter.ignoreEjections = true
    return this.#balancer.next(filter)
  }

  /** Passive health: the proxy reports every failed attempt. */
  reportFailure(target: Target, kind: UpstreamFailureKind): void {
    const transition = target.passive.recordFailure(this.#now(), kind)
    if (transition === undefined) return
    this.#emit('upstream.target.ejected', {
      upstream: this.name,
      target: target.id,
      reason: kind,
      consecutiveFailures: target.passive.consecutiveFailures,
      // Re-ejected: it failed its probation after an earlier ejection.
      probation: transition === 're-ejected',
    })
  }

  /** Passive health: the proxy reports every successful attempt. */
  reportSuccess(target: Target): void {
    if (target.passive.recordSuccess(this.#now()) === 'restored') this.#emit('upstream.target.restored', { upstream: this.name, target: target.id })
  }

  /** Starts the periodic health checks; does nothing when the upstream has none configured. */
  startActiveChecks(): void {
    this.#checker?.start()
  }

  /** Clears every timer and aborts checks in flight. */
  stop(): void {
    this.#checker?.stop()
  }

  /** Per-target health, for the admin API and readiness. */
  health(): TargetHealthReport[] {
    const nowMs = this.#now()
    const panic = !this.#anyAvailable(nowMs)
    return this.targets.map((target) => {
      const report: TargetHealthReport = { upstream: this.name, target: target.id, healthy: target.isAvailableAt(nowMs) }
      const reasons: string[] = []
      if (!target.active.healthy) reasons.push(`health check failing: ${target.active.lastFailure ?? 'unknown'}`)
      if (target.passive.isEjectedAt(nowMs)) {
        const left = Math.ceil(target.passive.ejectedUntil - nowMs)
        reasons.push(`ejected after failed requests (last: ${target.passive.lastFailure ?? 'unknown'}), ${left} ms left`)
        if (panic && target.active.healthy) reasons.push('still receiving traffic: every target is unavailable (panic)')
      } else if (target.passive.isOnProbationAt(nowMs)) {
        reasons.push('on probation after an ejection: the next failure ejects it again')
      }
      if (reasons.length > 0) report.reason = reasons.join('; ')
      return report
    })
  }

  #anyAvailable(nowMs: number): boolean {
    for (const target of this.targets) if (target.isAvailableAt(nowMs)) return true
    return false
  }

  #setPanic(panic: boolean): void {
    this.#panic = panic
    this.#emit(panic ? 'upstream.panic.enter' : 'upstream.panic.exit', { upstream: this.name, targets: this.targets.length })
  }

  #onProbe(target: Target, result: ProbeResult): void {
    const transition = target.active.record(result)
    if (transition === undefined) return
    const fields = { upstream: this.name, target: target.id, detail: result.detail }
    this.#emit(transition === 'unhealthy' ? 'upstream.target.unhealthy' : 'upstream.target.healthy', fields)
  }

  #emit(event: string, fields: object): void {
    try {
      this.#log(event, fields)
    } catch {
      // Health bookkeeping runs inside request handling and timers; a broken logger must not
      // fail a request or stop the checks.
    }
  }
}

function buildTargets(config: UpstreamConfig, now: () => number): Target[] {
  const firstIndexById = new Map<string, number>()
  return config.targets.map((target, i) => {
    const where = `upstreams.${config.name}.targets[${i}]`
    const address = parseTargetAddress(target.url, `${where}.url`)
    const earlier = firstIndexById.get(address.id)
    if (earlier !== undefined) {
      throw new GatehouseError('GH_ERR_CONFIG_INVALID', `${where}.url: ${address.id} is already targets[${earlier}]; list each target once and set its weight instead`)
    }
    firstIndexById.set(address.id, i)
    return new Target(config, address, target.weight, now)
  })
}
