import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import type { UpstreamConfig } from '../../config/types.ts'
import { TargetSet } from './target-set.ts'

function upstream(balancing: UpstreamConfig['balancing'], weights: number[]): UpstreamConfig {
  return {
    name: 'api',
    targets: weights.map((weight, i) => ({ url: `http://10.0.0.${i + 1}:8080`, weight })),
    balancing,
    poolSize: 10,
    queueSize: 10,
    keepAliveMs: 1000,
    timeouts: { connectMs: 1000, headersMs: 1000, bodyMs: 1000 },
    retries: 1,
    healthCheck: { passive: { consecutiveFailures: 5, ejectMs: 30_000 } },
  }
}

/** Names the picked targets by their last address byte: 10.0.0.1 → 'a', 10.0.0.2 → 'b', … */
function sequence(set: TargetSet, count: number): string {
  let out = ''
  for (let i = 0; i < count; i++) {
    const target = set.pick()
    assert.ok(target, `pick ${i} returned a target`)
    out += 'abcdefgh'[Number(target.host.split('.')[3]) - 1]
  }
  return out
}

describe('smooth weighted round-robin', () => {
  it('interleaves weights 3:1 as a a b a, repeating, never in bursts of three', () => {
    const set = new TargetSet(upstream('round-robin', [3, 1]))
    assert.equal(sequence(set, 12), 'aaba'.repeat(3))
  })

  it('rotates equal weights 1:1:1 in order', () => {
    const set = new TargetSet(upstream('round-robin', [1, 1, 1]))
    assert.equal(sequence(set, 9), 'abc'.repeat(3))
  })

  it('spreads weights 5:1:1 like nginx (a a b a c a a)', () => {
    const set = new TargetSet(upstream('round-robin', [5, 1, 1]))
    assert.equal(sequence(set, 14), 'aabacaa'.repeat(2))
  })

  it('keeps exact proportions over many picks (2:3:5)', () => {
    const set = new TargetSet(upstream('round-robin', [2, 3, 5]))
    const picks = sequence(set, 1000)
    const counts = { a: 0, b: 0, c: 0 }
    for (const c of picks) counts[c as 'a' | 'b' | 'c']++
    assert.deepEqual(counts, { a: 200, b: 300, c: 500 })
  })
})

describe('least connections', () => {
  it('picks the target with the fewest requests in flight', () => {
    const set = new TargetSet(upstream('least-connections', [1, 1, 1]))
    const [a, b, c] = set.targets
    a.inFlight = 2
    b.inFlight = 0
    c.inFlight = 1
    assert.equal(set.pick(), b)
    b.inFlight = 3
    assert.equal(set.pick(), c)
  })

  it('divides the load by the weight', () => {
    const set = new TargetSet(upstream('least-connections', [4, 1]))
    const [a, b] = set.targets
    a.inFlight = 3 // 0.75 per unit of weight
    b.inFlight = 1 // 1 per unit of weight
    assert.equal(set.pick(), a)
    a.inFlight = 5 // 1.25
    assert.equal(set.pick(), b)
  })

  it('takes turns among equally loaded targets instead of always the first', () => {
    const set = new TargetSet(upstream('least-connections', [1, 1, 1]))
    assert.equal(sequence(set, 6), 'abcabc')
    const [a, b, c] = set.targets
    a.inFlight = 1
    b.inFlight = 1
    c.inFlight = 1
    assert.equal(sequence(set, 3), 'abc')
  })

  it('spreads concurrent requests when the pool counts them in flight', () => {
    const set = new TargetSet(upstream('least-connections', [2, 1]))
    for (let i = 0; i < 30; i++) {
      const target = set.pick()
      assert.ok(target)
      target.inFlight++
    }
    assert.deepEqual(set.targets.map((t) => t.inFlight), [20, 10])
  })
})

describe('exclude for retries', () => {
  for (const balancing of ['round-robin', 'least-connections'] as const) {
    it(`${balancing}: excluding the first of two targets gives the second, every time`, () => {
      const set = new TargetSet(upstream(balancing, [1, 1]))
      const [first, second] = set.targets
      for (let i = 0; i < 4; i++) assert.equal(set.pick(first), second)
      assert.equal(set.pick(new Set([second])), first)
    })

    it(`${balancing}: excluding the only target gives undefined`, () => {
      const set = new TargetSet(upstream(balancing, [1]))
      const [only] = set.targets
      assert.equal(set.pick(only), undefined)
      assert.equal(set.pick(new Set([only])), undefined)
      assert.equal(set.pick(), only)
    })

    it(`${balancing}: excluding every target of three gives undefined`, () => {
      const set = new TargetSet(upstream(balancing, [1, 2, 3]))
      assert.equal(set.pick(new Set(set.targets)), undefined)
    })
  }
})
