import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import type { UpstreamConfig } from '../../config/types.ts'
import { TargetSet } from './target-set.ts'

function upstream(targetCount: number, passive = { consecutiveFailures: 5, ejectMs: 30_000 }): UpstreamConfig {
  return {
    name: 'api',
    targets: Array.from({ length: targetCount }, (_, i) => ({ url: `http://10.0.0.${i + 1}:8080`, weight: 1 })),
    balancing: 'round-robin',
    poolSize: 10,
    queueSize: 10,
    keepAliveMs: 1000,
    timeouts: { connectMs: 1000, headersMs: 1000, bodyMs: 1000 },
    retries: 1,
    healthCheck: { passive },
  }
}

/** A target set on a hand-driven clock, recording what it logs. */
function harness(targetCount: number, passive?: { consecutiveFailures: number; ejectMs: number }) {
  const clock = { ms: 1_000 }
  const events: Array<{ event: string; fields: Record<string, unknown> }> = []
  const set = new TargetSet(upstream(targetCount, passive), {
    now: () => clock.ms,
    log: (event, fields) => events.push({ event, fields: fields as Record<string, unknown> }),
  })
  const picks = (count: number) => Array.from({ length: count }, () => set.pick())
  return { clock, events, set, picks }
}

describe('passive health (UPS-08)', () => {
  it('UPS-08: ejects a target after 5 consecutive 5xx and shifts its traffic to the others', () => {
    const { events, set, picks } = harness(3)
    const [a, b, c] = set.targets
    for (let i = 0; i < 4; i++) set.reportFailure(b, 'status-5xx')
    assert.equal(b.available, true, 'still in after 4 failures')
    set.reportFailure(b, 'status-5xx')
    assert.equal(b.available, false)
    assert.deepEqual(picks(6), [a, c, a, c, a, c])
    assert.deepEqual(events, [{ event: 'upstream.target.ejected', fields: { upstream: 'api', target: '10.0.0.2:8080', reason: 'status-5xx', consecutiveFailures: 5, probation: false } }])
  })

  it('UPS-08: a success resets the count, so a target failing every other request is never ejected', () => {
    const { set } = harness(3)
    const b = set.targets[1]
    for (let i = 0; i < 20; i++) {
      set.reportFailure(b, 'status-5xx')
      set.reportSuccess(b)
    }
    assert.equal(b.available, true)
    assert.equal(b.passive.consecutiveFailures, 0)
  })

  it('UPS-08: every failure kind counts towards ejection', () => {
    const { set } = harness(2)
    const a = set.targets[0]
    for (const kind of ['connect', 'timeout', 'reset', 'protocol', 'status-5xx'] as const) set.reportFailure(a, kind)
    assert.equal(a.available, false)
  })

  it('UPS-08: an ejected target comes back after ejectMs, and one success keeps it in', () => {
    const { clock, events, set, picks } = harness(3)
    const [a, b, c] = set.targets
    for (let i = 0; i < 5; i++) set.reportFailure(b, 'connect')
    clock.ms += 29_999
    assert.equal(b.available, false, 'still ejected 1 ms before the end')
    assert.ok(!picks(6).includes(b))
    clock.ms += 1
    assert.equal(b.available, true, 'back after exactly ejectMs')
    assert.ok(picks(3).includes(b))
    assert.match(set.health()[1].reason ?? '', /probation/)
    set.reportSuccess(b)
    assert.equal(events.at(-1)?.event, 'upstream.target.restored')
    // Restored for good: the next single failure starts a new count instead of re-ejecting.
    set.reportFailure(b, 'status-5xx')
    assert.equal(b.available, true)
    assert.deepEqual(set.health().map((h) => h.healthy), [true, true, true])
    assert.equal(set.health()[1].reason, undefined)
    assert.ok([a, c].every((t) => t.available))
  })

  it('UPS-08: half-open: one failure on probation ejects again at once, for another ejectMs', () => {
    const { clock, events, set } = harness(3)
    const b = set.targets[1]
    for (let i = 0; i < 5; i++) set.reportFailure(b, 'status-5xx')
    clock.ms += 30_000
    assert.equal(b.available, true)
    set.reportFailure(b, 'timeout')
    assert.equal(b.available, false, 're-ejected by a single failure')
    assert.deepEqual(events.map((e) => [e.event, e.fields.probation]), [['upstream.target.ejected', false], ['upstream.target.ejected', true]])
    clock.ms += 29_999
    assert.equal(b.available, false)
    clock.ms += 1
    assert.equal(b.available, true)
  })

  it('UPS-08: successes of requests sent before the ejection do not cut it short', () => {
    const { clock, set } = harness(2)
    const a = set.targets[0]
    for (let i = 0; i < 5; i++) set.reportFailure(a, 'status-5xx')
    set.reportSuccess(a)
    clock.ms += 10_000
    set.reportFailure(a, 'status-5xx')
    assert.equal(a.available, false)
    assert.equal(Math.round(a.passive.ejectedUntil), 1_000 + 30_000, 'late reports neither end nor extend the ejection')
  })

  it('UPS-08: reports an ejected target as unhealthy with the reason and time left', () => {
    const { clock, set } = harness(2)
    for (let i = 0; i < 5; i++) set.reportFailure(set.targets[0], 'reset')
    clock.ms += 10_000
    const [report, other] = set.health()
    assert.equal(report.upstream, 'api')
    assert.equal(report.target, '10.0.0.1:8080')
    assert.equal(report.healthy, false)
    assert.match(report.reason ?? '', /ejected after failed requests \(last: reset\), 20000 ms left/)
    assert.deepEqual(other, { upstream: 'api', target: '10.0.0.2:8080', healthy: true })
  })

  it('consecutiveFailures 0 turns passive ejection off', () => {
    const { set } = harness(2, { consecutiveFailures: 0, ejectMs: 30_000 })
    for (let i = 0; i < 100; i++) set.reportFailure(set.targets[0], 'connect')
    assert.equal(set.targets[0].available, true)
  })
})

describe('panic mode (UPS-08: all targets ejected)', () => {
  it('UPS-08: with every target ejected, picks still spread over all of them, logged once on entry and once on exit', () => {
    const { clock, events, set, picks } = harness(3)
    const [a, b, c] = set.targets
    for (const target of set.targets) for (let i = 0; i < 5; i++) set.reportFailure(target, 'status-5xx')
    assert.ok(set.targets.every((t) => !t.available))
    events.length = 0
    assert.deepEqual(picks(6), [a, b, c, a, b, c])
    assert.deepEqual(events, [{ event: 'upstream.panic.enter', fields: { upstream: 'api', targets: 3 } }])
    assert.match(set.health()[0].reason ?? '', /panic/)
    // Retries still avoid the target already tried.
    assert.equal(set.pick(new Set([a, b])), c)
    clock.ms += 30_000
    assert.deepEqual(picks(3), [a, b, c])
    assert.deepEqual(events.map((e) => e.event), ['upstream.panic.enter', 'upstream.panic.exit'])
  })

  it('UPS-08: leaves panic as soon as one target is available again, and sends it all the traffic', () => {
    const { clock, events, set, picks } = harness(2, { consecutiveFailures: 1, ejectMs: 1_000 })
    const [a, b] = set.targets
    set.reportFailure(a, 'connect')
    clock.ms += 500
    set.reportFailure(b, 'connect')
    assert.equal(picks(2).length, 2)
    clock.ms += 500 // a's ejection ends, b's does not
    assert.deepEqual(picks(3), [a, a, a])
    assert.deepEqual(events.filter((e) => e.event.startsWith('upstream.panic')).map((e) => e.event), ['upstream.panic.enter', 'upstream.panic.exit'])
  })

  it('UPS-08: a single ejected target still gets the traffic rather than failing every request', () => {
    const { set } = harness(1, { consecutiveFailures: 1, ejectMs: 60_000 })
    const [only] = set.targets
    set.reportFailure(only, 'timeout')
    assert.equal(only.available, false)
    assert.equal(set.pick(), only)
    assert.equal(set.pick(only), undefined, 'a retry has nowhere else to go')
  })
})
