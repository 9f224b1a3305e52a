// Something retried in the background (a JWKS fetch, a store poll, a log destination) fails many
// times in a row during one outage. Operators want one line when it starts failing and one when it
// works again, not one per attempt: this keeps the one bit that tells the two apart.
export class FailureStreak {
  #failing = false

  get failing(): boolean {
    return this.#failing
  }

  /** Records a failure; true only for the first of a streak (the one worth reporting). */
  failed(): boolean {
    if (this.#failing) return false
    this.#failing = true
    return true
  }

  /** Records a success; true only when it ends a streak (the recovery worth reporting). */
  succeeded(): boolean {
    if (!this.#failing) return false
    this.#failing = false
    return true
  }
}
