import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { randomId, timeOrderedId } from './random-id.ts'

describe('randomId', () => {
  it('gives distinct base64url ids of the asked length across pool refills', () => {
    const seen = new Set<string>()
    for (let i = 0; i < 2000; i++) {
      const id = randomId(16)
      assert.match(id, /^[A-Za-z0-9_-]{22}$/)
      seen.add(id)
    }
    assert.equal(seen.size, 2000)
    assert.equal(randomId(32).length, 43)
  })

  it('refuses sizes outside 1 to 64 bytes', () => {
    assert.throws(() => randomId(0), RangeError)
    assert.throws(() => randomId(65), RangeError)
  })

  it('time-ordered ids sort by when they were made and stay distinct within one millisecond', async () => {
    const first = Array.from({ length: 500 }, () => timeOrderedId())
    await new Promise((resolve) => setTimeout(resolve, 5))
    const later = timeOrderedId()
    for (const id of first) {
      assert.match(id, /^[0-9a-z]{9}[A-Za-z0-9_-]{16}$/)
      assert.ok(id < later, `${id} sorts before ${later}`)
      assert.ok(Math.abs(parseInt(id.slice(0, 9), 36) - Date.now()) < 60_000, 'the prefix is the time in ms')
    }
    assert.equal(new Set(first).size, 500, 'the random part tells apart ids of the same millisecond')
  })
})
