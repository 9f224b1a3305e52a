import type { UpstreamConfig } from '../../config/types.ts'
import { ActiveHealth } from './active-health.ts'
import { PassiveHealth } from './passive-health.ts'
import type { TargetAddress } from './target-address.ts'

/** One backend address of an upstream, with its load and health state. */
export class Target {
  readonly upstream: string
  readonly id: string
  readonly host: string
  readonly port: number
  readonly authority: string
  readonly weight: number
  /** Requests currently sent to this target; the connection pool counts them up and down. */
  inFlight = 0
  readonly passive: PassiveHealth
  readonly active: ActiveHealth
  readonly #now: () => number

  constructor(upstream: UpstreamConfig, address: TargetAddress, weight: number, now: () => number) {
    this.upstream = upstream.name
    this.id = address.id
    this.host = address.host
    this.port = address.port
    this.authority = address.authority
    this.weight = weight
    this.passive = new PassiveHealth(upstream.healthCheck.passive)
    this.active = new ActiveHealth(upstream.healthCheck.active)
    this.#now = now
  }

  /** True when the target may receive traffic (not ejected, not actively unhealthy). */
  get available(): boolean {
    return this.isAvailableAt(this.#now())
  }

  isAvailableAt(nowMs: number): boolean {
    return this.active.healthy && !this.passive.isEjectedAt(nowMs)
  }
}
