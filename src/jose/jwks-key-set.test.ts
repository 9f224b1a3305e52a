import assert from 'node:assert/strict'
import http from 'node:http'
import type { AddressInfo } from 'node:net'
import { after, before, describe, it } from 'node:test'
import { jwksOf, startJwksServer, testKey, type JwksAnswer, type JwksServer } from './jwks-test-server.fixture.ts'
import { JwksKeySet, parseJwks, sharedJwksKeySet } from './jwks-key-set.ts'

const k1 = testKey('k1')
const k2 = testKey('k2')
const ec = testKey('ec', 'ES256')

/** A key set on a clock the test moves by hand. */
function keySet(uri: string, options: { refreshSeconds?: number; cooldown?: number; timeoutMs?: number } = {}) {
  const clock = { now: 1_000_000 }
  const set = new JwksKeySet({
    uri,
    refreshSeconds: options.refreshSeconds ?? 300,
    refetchCooldownSeconds: options.cooldown ?? 30,
    fetchTimeoutMs: options.timeoutMs ?? 2000,
    clock: () => clock.now,
  })
  return { set, clock }
}

let server: JwksServer
before(async () => {
  server = await startJwksServer({ status: 200, body: jwksOf(k1) })
})
after(() => server.close())

/** A JWKS endpoint of the test's own, so request counts are its alone. */
function fresh(body = jwksOf(k1)): Promise<JwksServer> {
  return startJwksServer({ status: 200, body })
}

describe('JwksKeySet: loading and refreshing', () => {
  it('loads on demand, finds keys by exact kid, and refreshes only when due', async () => {
    const jwks = await fresh(jwksOf(k1, k2))
    try {
      const { set, clock } = keySet(jwks.url)
      assert.equal(set.loaded, false)
      await set.loadNow(clock.now)
      assert.equal(set.loaded, true)
      assert.equal(set.generation, 1)
      assert.equal(set.lookup.get(k1.kid)?.algorithm, 'RS256')
      assert.equal(set.lookup.get(k1.kid.toLowerCase()), undefined)
      assert.equal(set.lookup.get(undefined), undefined, 'no kid never picks among several keys')
      set.refreshIfDue(clock.now + 299_000)
      assert.equal(jwks.requests, 1)
      clock.now += 300_000
      set.refreshIfDue(clock.now)
      set.refreshIfDue(clock.now)
      assert.equal(jwks.requests, 1, 'the request is not sent synchronously')
      await waitUntil(() => set.fetches === 2 && jwks.requests === 2)
      await settle(set)
      assert.equal(set.generation, 1, 'the same document keeps the generation, so cached verdicts stay valid')
    } finally {
      await jwks.close()
    }
  })

  it('JWT-16: a changed document replaces the keys and bumps the generation', async () => {
    const jwks = await fresh(jwksOf(k1))
    try {
      const { set, clock } = keySet(jwks.url)
      await set.loadNow(clock.now)
      jwks.answer = { status: 200, body: jwksOf(k2) }
      clock.now += 300_000
      set.refreshIfDue(clock.now)
      await settle(set)
      assert.equal(set.generation, 2)
      assert.equal(set.lookup.get(k1.kid), undefined)
      assert.ok(set.lookup.get(k2.kid))
    } finally {
      await jwks.close()
    }
  })

  it('JWT-16: an unknown kid refetches once per cooldown; concurrent misses share one fetch', async () => {
    const jwks = await fresh()
    try {
      const { set, clock } = keySet(jwks.url, { cooldown: 30 })
      await set.loadNow(clock.now)
      const first = set.refetchForUnknownKid(clock.now)
      const joined = set.refetchForUnknownKid(clock.now)
      assert.ok(first !== undefined)
      assert.equal(joined, first)
      await first
      assert.equal(set.refetchForUnknownKid(clock.now + 29_999), undefined)
      assert.equal(jwks.requests, 2)
      clock.now += 30_000
      await set.refetchForUnknownKid(clock.now)
      assert.equal(jwks.requests, 3)
    } finally {
      await jwks.close()
    }
  })

  it('a set holding one key lets a token without kid use it', async () => {
    const jwks = await fresh(JSON.stringify({ keys: [{ ...k1.publicJwk, kid: undefined }] }))
    try {
      const { set, clock } = keySet(jwks.url)
      await set.loadNow(clock.now)
      assert.equal(set.lookup.get(undefined)?.key.export({ format: 'jwk' }).n, k1.publicJwk.n)
    } finally {
      await jwks.close()
    }
  })
})

describe('JwksKeySet: failures keep the last good keys (JWT-16)', () => {
  const cases: Array<[string, JwksAnswer, RegExp]> = [
    ['a 500', { status: 500, body: 'secret-ish error page' }, /answered 500$/],
    ['invalid JSON', { status: 200, body: '{"keys": [ secret' }, /is not JSON$/],
    ['JSON without keys', { status: 200, body: '{"key": []}' }, /no "keys" array/],
    ['an empty key list', { status: 200, body: '{"keys": []}' }, /holds no usable key$/],
    ['only keys that cannot verify', { status: 200, body: JSON.stringify({ keys: [{ ...k2.publicJwk, alg: 'ES256' }, { ...ec.publicJwk, use: 'enc' }] }) }, /holds no usable key \(keys\[0\].*does not fit.*keys\[1\].*"use"/],
    ['a declared body over 1 MiB', { status: 200, body: Buffer.alloc(2 * 1024 * 1024, 0x20) }, /declares 2097152 bytes, more than the 1048576 allowed$/],
    ['a chunked body over 1 MiB', { status: 200, body: Buffer.alloc(2 * 1024 * 1024, 0x20), chunked: true }, /sent more than the 1048576 bytes allowed$/],
    ['no answer', { status: 200, body: '', hang: true }, /did not answer completely within 300 ms$/],
    ['a stalled body', { status: 200, body: jwksOf(k2), stallAfterHead: true }, /did not answer completely within 300 ms$/],
  ]
  for (const [name, answer, message] of cases) {
    it(`JWT-16: ${name} leaves the keys as they were and waits for the cooldown`, async () => {
      const jwks = await fresh()
      try {
        const { set, clock } = keySet(jwks.url, { cooldown: 30, timeoutMs: 300 })
        await set.loadNow(clock.now)
        const generation = set.generation
        jwks.answer = answer
        clock.now += 300_000
        set.refreshIfDue(clock.now)
        await settle(set)
        assert.match(set.lastError ?? '', message)
        assert.doesNotMatch(set.lastError ?? '', /secret/, 'the body is never quoted')
        assert.equal(set.generation, generation)
        assert.ok(set.lookup.get(k1.kid), 'k1 still there')
        set.refreshIfDue(clock.now + 29_000)
        assert.equal(set.fetches, 2, 'no retry before the cooldown')
        assert.equal(set.retryAfterSeconds(clock.now), 30)
      } finally {
        await jwks.close()
      }
    })
  }

  it('never loaded: retries come 1, 2, 4, … s apart up to the cooldown, and once loaded a failure waits the whole cooldown', async () => {
    const jwks = await fresh()
    try {
      jwks.answer = { status: 503, body: 'starting' }
      const { set, clock } = keySet(jwks.url, { cooldown: 10 })
      const delays: number[] = []
      await set.loadNow(clock.now)
      for (let attempt = 0; attempt < 6; attempt++) {
        const retryAfter = set.retryAfterSeconds(clock.now)
        delays.push(retryAfter)
        assert.equal(set.loadNow(clock.now + retryAfter * 1000 - 1), undefined, `no fetch before ${retryAfter} s`)
        clock.now += retryAfter * 1000
        await set.loadNow(clock.now)
      }
      assert.deepEqual(delays, [1, 2, 4, 8, 10, 10])
      assert.equal(jwks.requests, 7, 'one fetch per interval, whatever the callers')
      jwks.answer = { status: 200, body: jwksOf(k1) }
      clock.now += set.retryAfterSeconds(clock.now) * 1000
      await set.loadNow(clock.now)
      assert.equal(set.loaded, true)
      jwks.answer = { status: 503, body: 'down again' }
      clock.now += 300_000
      set.refreshIfDue(clock.now)
      await settle(set)
      assert.equal(set.retryAfterSeconds(clock.now), 10, 'with keys at hand a failed refresh waits the whole cooldown')
    } finally {
      await jwks.close()
    }
  })

  it('tells the log once when fetches start failing, once when they work again, and once per document with skipped keys', async () => {
    const jwks = await fresh()
    try {
      jwks.answer = { status: 404, body: 'not here' }
      const { set, clock } = keySet(jwks.url, { cooldown: 10 })
      const events: Array<[string, Record<string, unknown>]> = []
      set.log = (event, fields) => void events.push([event, fields as Record<string, unknown>])
      await set.loadNow(clock.now)
      clock.now += 1000
      await set.loadNow(clock.now)
      assert.equal(jwks.requests, 2)
      assert.deepEqual(events, [['JWKS fetch failed; tokens of this issuer are refused with 503 until a fetch works', { jwksUri: jwks.url, error: `JWKS ${jwks.url} answered 404`, retryInSeconds: 1 }]])
      jwks.answer = { status: 200, body: JSON.stringify({ keys: [k1.publicJwk, { ...ec.publicJwk, use: 'enc' }] }) }
      clock.now += 2000
      await set.loadNow(clock.now)
      assert.equal(set.loaded, true)
      assert.deepEqual(events.slice(1).map(([event]) => event), ['JWKS keys skipped: they cannot verify tokens', 'JWKS fetch works again'])
      assert.match((events[1][1].skipped as string[]).join('\n'), /^keys\[1\] .*"use" is "enc"/)
      clock.now += 300_000
      set.refreshIfDue(clock.now)
      await settle(set)
      assert.equal(events.length, 3, 'the same document again: nothing new to say')
      jwks.answer = { status: 500, body: 'down' }
      clock.now += 300_000
      set.refreshIfDue(clock.now)
      await settle(set)
      assert.equal(events.at(-1)?.[0], 'JWKS fetch failed; the last good keys stay in use')
      assert.equal(events.length, 4)
    } finally {
      await jwks.close()
    }
  })

  it('a redirect is not followed', async () => {
    const redirect = http.createServer((_req, res) => {
      res.writeHead(302, { location: server.url, 'content-length': 0 })
      res.end()
    })
    await new Promise<void>((resolve) => redirect.listen(0, '127.0.0.1', () => resolve()))
    try {
      const { set, clock } = keySet(`http://127.0.0.1:${(redirect.address() as AddressInfo).port}/jwks`)
      assert.equal(await set.loadNow(clock.now), undefined)
      assert.equal(set.loaded, false)
      assert.match(set.lastError ?? '', /answered 302 \(redirects are not followed\)/)
      assert.equal(set.loadNow(clock.now + 500), undefined, 'never loaded and waiting for the first retry: nothing to wait for')
    } finally {
      redirect.closeAllConnections()
      await new Promise((resolve) => redirect.close(resolve))
    }
  })
})

describe('parseJwks', () => {
  it('skips keys that cannot verify and says why, keeping the others', () => {
    const { lookup, skipped } = parseJwks(JSON.stringify({
      keys: [
        k1.publicJwk,
        { ...k2.publicJwk, alg: 'ES256' },
        { ...k2.publicJwk, kid: 'private', d: 'AAAA' },
        { ...k2.publicJwk, kid: k1.kid },
        { kty: 'oct', k: 'c2VjcmV0', kid: 'hmac' },
        { ...k2.publicJwk, kid: 42 },
      ],
    }))
    assert.equal(lookup.size, 1)
    assert.ok(lookup.get(k1.kid))
    assert.equal(skipped.length, 5)
    assert.match(skipped.join('\n'), /does not fit its key type/)
    assert.match(skipped.join('\n'), /private member "d"/)
    assert.match(skipped.join('\n'), /kid used by an earlier key/)
    assert.match(skipped.join('\n'), /kid is not a string/)
  })
})

describe('sharedJwksKeySet', () => {
  it('gives policy instances with the same URL and settings one key set, and separate sets otherwise', () => {
    const options = { uri: `${server.url}?shared`, refreshSeconds: 300, refetchCooldownSeconds: 30, fetchTimeoutMs: 1000 }
    const first = sharedJwksKeySet(options)
    assert.equal(sharedJwksKeySet({ ...options }), first)
    assert.notEqual(sharedJwksKeySet({ ...options, refreshSeconds: 60 }), first)
    assert.equal(first.fetches, 1, 'the first fetch starts at once')
  })
})

async function waitUntil(condition: () => boolean): Promise<void> {
  for (let i = 0; i < 200 && !condition(); i++) await new Promise((resolve) => setTimeout(resolve, 10))
  assert.ok(condition(), 'condition not met in time')
}

/** Waits until the key set has no fetch in flight. */
async function settle(set: JwksKeySet): Promise<void> {
  await set.fetching
}
