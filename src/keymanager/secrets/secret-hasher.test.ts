import assert from 'node:assert/strict'
import { createHmac } from 'node:crypto'
import { describe, it } from 'node:test'
import { GatehouseError } from '../../core/errors/gatehouse-error.ts'
import { generateSecret } from './generate-secret.ts'
import { SecretHasher } from './secret-hasher.ts'

const PEPPER = 'pepper-pepper-pepper-pepper-pepper-0001'

describe('generateSecret', () => {
  it('gives 256 random bits as 43 base64url characters by default', () => {
    const seen = new Set<string>()
    for (let i = 0; i < 1000; i++) {
      const secret = generateSecret()
      assert.match(secret, /^[A-Za-z0-9_-]{43}$/)
      seen.add(secret)
    }
    assert.equal(seen.size, 1000)
    assert.equal(Buffer.from(generateSecret(48), 'base64url').length, 48)
  })

  it('refuses lengths that are too short to be unguessable', () => {
    for (const bytes of [0, 15, 1.5, 2048]) assert.throws(() => generateSecret(bytes), GatehouseError, String(bytes))
  })
})

describe('SecretHasher', () => {
  const hasher = new SecretHasher(PEPPER)

  it('KEY-01: stores HMAC-SHA-256 under the pepper as hex, never the secret', () => {
    const secret = generateSecret()
    const digest = hasher.digest(secret)
    assert.equal(digest, createHmac('sha256', PEPPER).update(secret).digest('hex'))
    assert.match(digest, /^[0-9a-f]{64}$/)
    assert.equal(digest.includes(secret), false)
    assert.notEqual(new SecretHasher(`${PEPPER}x`).digest(secret), digest, 'a different pepper gives a different digest')
  })

  it('matches the right secret only', () => {
    const secret = generateSecret()
    const digest = hasher.digest(secret)
    assert.equal(hasher.matches(secret, digest), true)
    assert.equal(hasher.matches(`${secret}x`, digest), false)
    assert.equal(hasher.matches('', digest), false)
  })

  it('a stored value that is not a 64-character digest matches nothing, without throwing', () => {
    const secret = generateSecret()
    for (const stored of ['', hasher.digest(secret).slice(0, 63), `${hasher.digest(secret)}0`, secret, 'é'.repeat(64), null, undefined]) {
      assert.equal(hasher.matches(secret, stored as string), false, String(stored))
    }
  })

  it('KEY-07: matchesAny accepts a secret with any of the digests, and skips malformed ones', () => {
    const current = generateSecret()
    const previous = generateSecret()
    const digests = [hasher.digest(current), hasher.digest(previous)]
    assert.equal(hasher.matchesAny(current, digests), true)
    assert.equal(hasher.matchesAny(previous, digests), true)
    assert.equal(hasher.matchesAny(generateSecret(), digests), false)
    assert.equal(hasher.matchesAny(previous, [digests[0], '0'.repeat(64)]), false, 'a placeholder matches nothing')
    assert.equal(hasher.matchesAny(current, [digests[0].slice(1), null as unknown as string]), false)
    assert.equal(hasher.matchesAny(current, []), false)
  })

  it('KEY-02: a wrong secret differing at the first or at the last byte takes the same time', () => {
    const secret = generateSecret()
    const digest = hasher.digest(secret)
    const atFirst = `${secret[0] === 'A' ? 'B' : 'A'}${secret.slice(1)}`
    const atLast = `${secret.slice(0, -1)}${secret.at(-1) === 'A' ? 'B' : 'A'}`
    const batch = (candidate: string): number => {
      const started = process.hrtime.bigint()
      for (let i = 0; i < 50; i++) hasher.matches(candidate, digest)
      return Number(process.hrtime.bigint() - started)
    }
    for (let i = 0; i < 50; i++) { batch(atFirst); batch(atLast) }
    const first: number[] = []
    const last: number[] = []
    // Interleaved, so drift of the machine hits both sides alike; compared at the 20th percentile,
    // because preemption by other processes only ever adds time.
    for (let i = 0; i < 300; i++) { first.push(batch(atFirst)); last.push(batch(atLast)) }
    const low = (values: number[]): number => values.sort((a, b) => a - b)[Math.floor(values.length / 5)]
    const ratio = low(first) / low(last)
    assert.ok(ratio > 0.8 && ratio < 1.25, `20th-percentile time ratio ${ratio.toFixed(3)}`)
  })

  it('refuses a short or missing pepper', () => {
    for (const pepper of ['short', Buffer.alloc(31), undefined, 42]) {
      assert.throws(() => new SecretHasher(pepper as string), (e: unknown) => e instanceof GatehouseError && e.code === 'GH_ERR_CONFIG_INVALID')
    }
    assert.equal(new SecretHasher(Buffer.alloc(32, 1)).digest('a').length, 64)
  })

  it('copies the pepper, so a caller clearing its buffer later changes nothing', () => {
    const pepper = Buffer.alloc(32, 7)
    const own = new SecretHasher(pepper)
    const before = own.digest('s')
    pepper.fill(0)
    assert.equal(own.digest('s'), before)
  })
})
