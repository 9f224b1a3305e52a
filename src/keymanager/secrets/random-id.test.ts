import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { randomId } from './random-id.ts'

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
})
