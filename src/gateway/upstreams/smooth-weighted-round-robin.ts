import type { Balancer, PickFilter } from './pick-filter.ts'
import type { Target } from './target.ts'

/**
 * nginx's smooth weighted round-robin: every pick adds each candidate's weight to its running
 * score, takes the highest score, and subtracts the sum of the candidates' weights from the
 * winner. Weights 3:1 then give a b-less run no longer than needed (a a b a), never a a a b, so
 * a heavy target does not receive bursts.
 */
export class SmoothWeightedRoundRobin implements Balancer {
  readonly #targets: readonly Target[]
  readonly #score: Float64Array

  constructor(targets: readonly Target[]) {
    this.#targets = targets
    this.#score = new Float64Array(targets.length)
  }

  next(filter: PickFilter): Target | undefined {
    const targets = this.#targets
    const score = this.#score
    let best = -1
    let total = 0
    for (let i = 0; i < targets.length; i++) {
      const target = targets[i]
      if (!filter.accepts(target)) continue
      score[i] += target.weight
      total += target.weight
      // Strictly greater: on a tie the earlier target wins, which keeps sequences deterministic.
      if (best === -1 || score[i] > score[best]) best = i
    }
    if (best === -1) return undefined
    score[best] -= total
    return targets[best]
  }
}
