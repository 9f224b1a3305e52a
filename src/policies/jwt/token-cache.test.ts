import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { TokenCache } from './token-cache.ts'

const entry = (name: string, expiresAtMs = 10_000) => ({ name, expiresAtMs })

describe('TokenCache', () => {
  it('returns an entry until its expiry and never after it', () => {
    const cache = new TokenCache<ReturnType<typeof entry>>(10)
    cache.set('a', entry('a', 1000), 0)
    assert.equal(cache.get('a', 999)?.name, 'a')
    assert.equal(cache.get('a', 1000), undefined)
    assert.equal(cache.size, 0, 'an expired entry is dropped when met')
  })

  it('does not store an entry that has already expired, or anything with maxEntries 0', () => {
    const cache = new TokenCache<ReturnType<typeof entry>>(10)
    cache.set('late', entry('late', 500), 500)
    assert.equal(cache.size, 0)
    const off = new TokenCache<ReturnType<typeof entry>>(0)
    off.set('a', entry('a'), 0)
    assert.equal(off.get('a', 0), undefined)
  })

  it('stays within maxEntries, evicting entries not read since the hand passed (clock)', () => {
    const cache = new TokenCache<ReturnType<typeof entry>>(3)
    for (const name of ['a', 'b', 'c']) cache.set(name, entry(name), 0)
    cache.get('a', 0) // a gets a second chance
    cache.set('d', entry('d'), 0)
    assert.equal(cache.size, 3)
    assert.equal(cache.get('b', 0), undefined, 'b, the oldest unread entry, went')
    assert.equal(cache.get('a', 0)?.name, 'a')
    for (let i = 0; i < 1000; i++) cache.set(`x${i}`, entry(`x${i}`), 0)
    assert.equal(cache.size, 3)
  })

  it('a stream of entries never read keeps the newest ones: a new entry is not the next to go', () => {
    const cache = new TokenCache<ReturnType<typeof entry>>(3)
    for (let i = 0; i < 10; i++) {
      cache.set(`t${i}`, entry(`t${i}`), 0)
      const kept = Array.from({ length: i + 1 }, (_, j) => `t${j}`).filter((name) => cache.get(name, 0) !== undefined)
      // Reading marks them, which only matters for later evictions; every round checks the newest survive.
      assert.ok(kept.includes(`t${i}`), `t${i} survives its own insertion`)
      assert.ok(cache.size <= 3)
    }
    const fresh = new TokenCache<ReturnType<typeof entry>>(3)
    for (let i = 0; i < 100; i++) fresh.set(`f${i}`, entry(`f${i}`), 0)
    assert.deepEqual(['f97', 'f98', 'f99'].map((name) => fresh.get(name, 0)?.name), ['f97', 'f98', 'f99'])
  })

  it('evicts expired entries before live ones, and terminates when every entry was read', () => {
    const cache = new TokenCache<ReturnType<typeof entry>>(2)
    cache.set('old', entry('old', 100), 0)
    cache.set('live', entry('live'), 0)
    cache.get('old', 0)
    cache.get('live', 0)
    cache.set('new', entry('new'), 200)
    assert.equal(cache.get('live', 200)?.name, 'live')
    assert.equal(cache.get('new', 200)?.name, 'new')
  })
})
