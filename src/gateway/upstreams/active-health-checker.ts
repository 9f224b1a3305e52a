import { performance } from 'node:perf_hooks'
import type { ActiveHealthCheckConfig } from '../../config/types.ts'
import type { ProbeResult } from './active-health.ts'
import { probeTarget } from './probe-target.ts'
import type { Target } from './target.ts'

interface Slot {
  target: Target
  timer: NodeJS.Timeout | undefined
  abort: (() => void) | undefined
}

/**
 * Probes every target of one upstream every `intervalMs`. Each target has its own chain of
 * timers: the next probe is scheduled only when the previous one has finished, so probes of one
 * target never overlap, however slow it is. Timers are unref'd; `stop()` clears them and aborts
 * probes in flight.
 */
export class ActiveHealthChecker {
  readonly #config: ActiveHealthCheckConfig
  readonly #expect: ReadonlySet<number>
  readonly #onResult: (target: Target, result: ProbeResult) => void
  readonly #slots: Slot[]
  /** Bumped by stop(): a probe that completes after a stop (and maybe a restart) is ignored. */
  #generation = 0
  #running = false

  constructor(targets: readonly Target[], config: ActiveHealthCheckConfig, onResult: (target: Target, result: ProbeResult) => void) {
    this.#config = config
    this.#expect = new Set(config.expectStatus)
    this.#onResult = onResult
    this.#slots = targets.map((target) => ({ target, timer: undefined, abort: undefined }))
  }

  start(): void {
    if (this.#running) return
    this.#running = true
    // First round at once, so a dead target leaves the rotation as soon as possible.
    for (const slot of this.#slots) this.#schedule(slot, 0)
  }

  stop(): void {
    this.#running = false
    this.#generation++
    for (const slot of this.#slots) {
      clearTimeout(slot.timer)
      slot.timer = undefined
      slot.abort?.()
      slot.abort = undefined
    }
  }

  #schedule(slot: Slot, delayMs: number): void {
    slot.timer = setTimeout(() => this.#probe(slot), delayMs)
    slot.timer.unref()
  }

  #probe(slot: Slot): void {
    slot.timer = undefined
    if (!this.#running) return
    const generation = this.#generation
    const startedAt = performance.now()
    const complete = (result: ProbeResult): void => {
      slot.abort = undefined
      if (generation !== this.#generation) return
      try {
        this.#onResult(slot.target, result)
      } catch {
        // A failing result handler (e.g. a logger) must not end the checks or escape the timer.
      }
      const elapsed = performance.now() - startedAt
      this.#schedule(slot, Math.max(0, this.#config.intervalMs - elapsed))
    }
    try {
      slot.abort = probeTarget(slot.target, this.#config, this.#expect, complete)
    } catch (err) {
      // http.request throws synchronously on arguments it rejects; count it as a failed check.
      complete({ ok: false, detail: `request failed: ${err instanceof Error ? err.message : String(err)}` })
    }
  }
}
