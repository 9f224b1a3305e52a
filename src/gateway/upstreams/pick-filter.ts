import type { Target } from './target.ts'

/**
 * Which targets one pick may choose. A target set owns a single instance and refills it on
 * every pick, so picking allocates nothing (no filtered arrays, no closures).
 */
export class PickFilter {
  nowMs = 0
  /** A target already tried by this request, when only one was. */
  excludedOne: Target | undefined = undefined
  /** Targets already tried by this request, when several were. */
  excludedSet: ReadonlySet<Target> | undefined = undefined
  /** Panic mode: passive ejections are ignored, active health-check failures are not. */
  ignoreEjections = false

  accepts(target: Target): boolean {
    if (target === this.excludedOne) return false
    if (this.excludedSet !== undefined && this.excludedSet.has(target)) return false
    if (!target.active.healthy) return false
    return this.ignoreEjections || !target.passive.isEjectedAt(this.nowMs)
  }
}

/** Chooses the next target among those a filter accepts. */
export interface Balancer {
  next(filter: PickFilter): Target | undefined
}
