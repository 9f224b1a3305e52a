import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { FailureThrottle, type FailureThrottleOptions } from './failure-throttle.ts'

/** A throttle on a clock the test moves; `reads` counts how often the throttle looked at it. */
function throttleAt(start: number, maxFailures: number, windowSeconds: number, options: Omit<FailureThrottleOptions, 'now'> = {}) {
  const clock = { time: start, reads: 0 }
  const throttle = new FailureThrottle({ maxFailures, windowSeconds }, { ...options, now: () => (clock.reads++, clock.time) })
  return { throttle, clock }
}

function fail(throttle: FailureThrottle, key: string, times: number): void {
  for (let i = 0; i < times; i++) throttle.recordFailure(key)
}

describe('FailureThrottle', () => {
  it('KEY-05: lets a key through up to maxFailures failures in its window, then refuses it with the seconds left', () => {
    const { throttle, clock } = throttleAt(1000, 3, 60)
    fail(throttle, '192.0.2.1', 2)
    assert.equal(throttle.retryAfter('192.0.2.1'), 0, 'two of three failures used')
    clock.time = 1010
    assert.equal(throttle.recordFailure('192.0.2.1'), true, 'the third failure uses up the window')
    assert.equal(throttle.retryAfter('192.0.2.1'), 50, 'the window runs from the first failure')
    clock.time = 1030.5
    assert.equal(throttle.retryAfter('192.0.2.1'), 30, 'seconds left, rounded up')
    clock.time = 1059.2
    assert.equal(throttle.retryAfter('192.0.2.1'), 1, 'never 0 while refused')
    assert.equal(throttle.retryAfter('192.0.2.2'), 0, 'another key is not affected')
  })

  it('KEY-05: starts over once the window has passed, and refused attempts do not extend it', () => {
    const { throttle, clock } = throttleAt(0, 2, 10)
    fail(throttle, 'a', 2)
    for (let t = 1; t < 10; t++) {
      clock.time = t
      assert.equal(throttle.retryAfter('a'), 10 - t)
    }
    clock.time = 10
    assert.equal(throttle.retryAfter('a'), 0, 'the window ended')
    assert.equal(throttle.recordFailure('a'), false, 'a new window, one failure in it')
    assert.equal(throttle.retryAfter('a'), 0)
    assert.equal(throttle.recordFailure('a'), true)
    assert.equal(throttle.retryAfter('a'), 10, 'the new window runs from its own first failure')
  })

  it('KEY-05: a failure recorded after the window ended starts a new window, even if nobody asked in between', () => {
    const { throttle, clock } = throttleAt(0, 2, 10)
    fail(throttle, 'a', 1)
    clock.time = 15
    assert.equal(throttle.recordFailure('a'), false, 'one failure in the new window, not two in the old one')
    assert.equal(throttle.retryAfter('a'), 0)
  })

  it('KEY-05: reports reaching the limit once per window', () => {
    const { throttle } = throttleAt(0, 3, 10)
    const reached = Array.from({ length: 6 }, () => throttle.recordFailure('a'))
    assert.deepEqual(reached, [false, false, true, false, false, false])
  })

  it('KEY-05: tracks at most maxTracked keys, forgetting the oldest windows first', () => {
    const { throttle, clock } = throttleAt(0, 5, 60, { maxTracked: 100 })
    for (let i = 0; i < 10_000; i++) {
      clock.time = i / 1000
      throttle.recordFailure(`198.51.${i >> 8}.${i & 255}`)
      assert.ok(throttle.tracked <= 100, `tracked ${throttle.tracked} keys`)
    }
    assert.equal(throttle.tracked, 100)
    fail(throttle, '198.51.39.15', 4)
    assert.ok(throttle.retryAfter('198.51.39.15') > 0, 'the newest key (9 999th) is still tracked')
    fail(throttle, '198.51.0.0', 4)
    assert.equal(throttle.retryAfter('198.51.0.0'), 0, 'the oldest key was forgotten: its count started over')
  })

  it('KEY-05: makes room by dropping every finished window first', () => {
    const { throttle, clock } = throttleAt(0, 1, 60, { maxTracked: 3 })
    fail(throttle, 'a', 1)
    fail(throttle, 'b', 1)
    clock.time = 50
    fail(throttle, 'c', 1)
    clock.time = 70
    fail(throttle, 'd', 1)
    assert.equal(throttle.tracked, 2, 'a and b had finished; c is kept')
    assert.ok(throttle.retryAfter('c') > 0)
    assert.ok(throttle.retryAfter('d') > 0)
  })

  it('KEY-05: costs a key without failures no clock read: a size check, or one lookup', () => {
    const { throttle, clock } = throttleAt(0, 2, 60)
    assert.equal(throttle.retryAfter('192.0.2.1'), 0)
    throttle.recordFailure('192.0.2.9')
    const reads = clock.reads
    assert.equal(throttle.retryAfter('192.0.2.1'), 0)
    assert.equal(throttle.retryAfter('192.0.2.9'), 0, 'below its limit')
    assert.equal(clock.reads, reads, 'the clock is read only for a key at its limit')
  })

  it('asks for at most one window when the wall clock was set back', () => {
    const { throttle, clock } = throttleAt(1000, 1, 60)
    fail(throttle, 'a', 1)
    clock.time = 900
    assert.equal(throttle.retryAfter('a'), 60)
  })

  it('forgives a key', () => {
    const { throttle } = throttleAt(0, 1, 60)
    fail(throttle, 'a', 1)
    assert.ok(throttle.retryAfter('a') > 0)
    throttle.forgive('a')
    assert.equal(throttle.retryAfter('a'), 0)
    assert.equal(throttle.tracked, 0)
  })
})
