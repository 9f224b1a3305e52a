import type { Balancer, PickFilter } from './pick-filter.ts'
import type { Target } from './target.ts'

/**
 * Picks the candidate with the fewest requests in flight per unit of weight. The scan starts just
 * after the previous winner, and the first lowest load wins, so equally loaded targets take turns
 * instead of the first one in the list receiving every request while all are idle.
 */
export class LeastConnections implements Balancer {
  readonly #targets: readonly Target[]
  #start = 0

  constructor(targets: readonly Target[]) {
    this.#targets = targets
  }

  next(filter: PickFilter): Target | undefined {
    const targets = this.#targets
    const count = targets.length
    let best: Target | undefined
    let bestIndex = -1
    for (let step = 0; step < count; step++) {
      let i = this.#start + step
      if (i >= count) i -= count
      const target = targets[i]
      if (!filter.accepts(target)) continue
      // a.inFlight / a.weight < b.inFlight / b.weight, multiplied out to avoid dividing.
      if (best === undefined || target.inFlight * best.weight < best.inFlight * target.weight) {
        best = target
        bestIndex = i
      }
    }
    if (best === undefined) return undefined
    this.#start = bestIndex + 1 === count ? 0 : bestIndex + 1
    return best
  }
}
