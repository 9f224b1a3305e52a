import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { GatehouseError } from '../../core/errors/gatehouse-error.ts'
import { AccessTokenIssuer } from '../tokens/access-token-issuer.ts'
import { JwtError } from '../../jose/jwt-error.ts'
import { createJwtVerifier } from '../../jose/verify-jwt.ts'
import { generateSigningKey } from './generate-signing-key.ts'
import { KeyRing, type KeyRingOptions } from './key-ring.ts'
import { MapKeyStore } from './map-key-store.fixture.ts'

const T0 = 1_760_000_000
const ROTATION = 3600
const AHEAD = 600
const MAX_TTL = 900

function clock(start = T0): { now: () => number; set: (t: number) => void } {
  let time = start
  return { now: () => time, set: (t) => { time = t } }
}

function settings(now: () => number, overrides: Partial<KeyRingOptions> = {}): KeyRingOptions {
  return { algorithm: 'ES256', rotationPeriodSeconds: ROTATION, publishAheadSeconds: AHEAD, maxTokenLifetimeSeconds: MAX_TTL, now, ...overrides }
}

function kids(ring: KeyRing): string[] {
  return ring.jwks().keys.map((k) => k.kid as string)
}

function verifierFor(ring: KeyRing): (token: string, now: number) => unknown {
  return createJwtVerifier({
    keys: (kid) => ring.verificationKey(kid),
    algorithms: ['ES256', 'EdDSA'],
    issuer: 'https://as.example',
    audience: 'orders',
    typ: 'at+jwt',
    clockToleranceSeconds: 0,
    maxTokenBytes: 8192,
    requiredClaims: ['exp', 'iat', 'jti'],
  })
}

describe('KeyRing: first start', () => {
  it('creates one key, active at once, published in the JWKS', async () => {
    const store = new MapKeyStore()
    const time = clock()
    const ring = await KeyRing.open(store, settings(time.now))
    assert.equal(store.records.size, 1)
    const key = ring.signingKey()
    assert.equal(key.algorithm, 'ES256')
    assert.deepEqual(kids(ring), [key.kid])
    const record = store.records.get(key.kid)
    assert.deepEqual([record?.activatesAt, record?.retiredAt, record?.expiresAt], [T0, null, null])
    assert.equal(ring.jwks().keys[0].d, undefined)
  })

  it('a second process opening the same store uses the existing key and parses it once', async () => {
    const store = new MapKeyStore()
    const time = clock()
    const first = await KeyRing.open(store, settings(time.now))
    const second = await KeyRing.open(store, settings(time.now))
    assert.equal(store.records.size, 1)
    assert.equal(second.signingKey().kid, first.signingKey().kid)
    assert.equal(second.signingKey(), second.signingKey(), 'the same LoadedKey object every time')
  })

  it('refuses options that cannot work, naming the option', async () => {
    const time = clock()
    for (const [overrides, field] of [[{ publishAheadSeconds: ROTATION }, 'publishAheadSeconds'], [{ rotationPeriodSeconds: 0 }, 'rotationPeriodSeconds'], [{ maxTokenLifetimeSeconds: 1.5 }, 'maxTokenLifetimeSeconds'], [{ algorithm: 'HS256' }, 'algorithm']] as const) {
      await assert.rejects(KeyRing.open(new MapKeyStore(), settings(time.now, overrides as Partial<KeyRingOptions>)), (e: unknown) => e instanceof GatehouseError && e.code === 'GH_ERR_CONFIG_INVALID' && e.detail.includes(field))
    }
  })

  it('refuses to start on a damaged published key, naming its kid', async () => {
    const store = new MapKeyStore()
    const record = generateSigningKey('ES256', T0)
    await store.saveKey({ ...record, privateKeyPem: '-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----\n' })
    await assert.rejects(KeyRing.open(store, settings(clock().now)), (e: unknown) => e instanceof GatehouseError && e.code === 'GH_ERR_INTERNAL' && e.detail.includes(record.kid))
  })
})

describe('KeyRing: rotation', () => {
  it('publishes the new key before it signs, then retires the old one, which stays published for one token lifetime', async () => {
    const store = new MapKeyStore()
    const time = clock()
    const ring = await KeyRing.open(store, settings(time.now))
    const issuer = new AccessTokenIssuer({ issuer: 'https://as.example', keys: ring, now: time.now })
    const verify = verifierFor(ring)
    const old = ring.signingKey()

    time.set(T0 + 100)
    const created = await ring.rotate()
    assert.equal(created.activatesAt, T0 + 100 + AHEAD)
    assert.deepEqual(kids(ring), [old.kid, created.kid], 'new key in the JWKS before it signs')
    assert.equal(ring.signingKey().kid, old.kid)
    const oldRecord = store.records.get(old.kid)
    assert.deepEqual([oldRecord?.retiredAt, oldRecord?.expiresAt], [T0 + 700, T0 + 700 + MAX_TTL])

    time.set(T0 + 699)
    const lastOldToken = issuer.issue({ clientId: 'app', subject: 'app', scopes: [], audience: 'orders', ttlSeconds: MAX_TTL })
    assert.equal(JSON.parse(Buffer.from(lastOldToken.token.split('.')[0], 'base64url').toString()).kid, old.kid)
    time.set(T0 + 700)
    assert.equal(ring.signingKey().kid, created.kid, 'switches exactly at activation, without a maintenance pass')
    const newToken = issuer.issue({ clientId: 'app', subject: 'app', scopes: [], audience: 'orders', ttlSeconds: 60 })
    verify(newToken.token, T0 + 700)

    // Tokens the old key signed keep verifying while it is published.
    time.set(T0 + 700 + MAX_TTL - 2)
    verify(lastOldToken.token, T0 + 699 + MAX_TTL - 1)
    await ring.maintain()
    assert.deepEqual(kids(ring), [old.kid, created.kid])

    time.set(T0 + 700 + MAX_TTL)
    const report = await ring.maintain()
    assert.deepEqual(report.deleted, [old.kid])
    assert.deepEqual(kids(ring), [created.kid])
    assert.equal(store.records.has(old.kid), false)
    assert.throws(() => verify(lastOldToken.token, T0 + 600), (e: unknown) => e instanceof JwtError && e.reason === 'unknown_kid')
  })

  it('rotate with publishAheadSeconds 0 makes the new key sign at once', async () => {
    const time = clock()
    const ring = await KeyRing.open(new MapKeyStore(), settings(time.now))
    const old = ring.signingKey()
    time.set(T0 + 5)
    const created = await ring.rotate({ publishAheadSeconds: 0 })
    assert.equal(ring.signingKey().kid, created.kid)
    assert.notEqual(created.kid, old.kid)
    assert.deepEqual(kids(ring), [old.kid, created.kid])
    await assert.rejects(ring.rotate({ publishAheadSeconds: -1 }), (e: unknown) => e instanceof GatehouseError && e.code === 'GH_ERR_CONFIG_INVALID')
  })

  it('rotating twice within one second still ends on the newest key, one second later at most', async () => {
    const time = clock()
    const ring = await KeyRing.open(new MapKeyStore(), settings(time.now))
    const first = ring.signingKey().kid
    const second = await ring.rotate({ publishAheadSeconds: 0 })
    const third = await ring.rotate({ publishAheadSeconds: 0 })
    assert.deepEqual([second.activatesAt, third.activatesAt], [T0 + 1, T0 + 2])
    assert.equal(ring.signingKey().kid, first)
    time.set(T0 + 2)
    assert.equal(ring.signingKey().kid, third.kid)
    assert.deepEqual(kids(ring), [first, second.kid, third.kid])
  })

  it('maintain schedules the next key so each key signs for rotationPeriodSeconds, published ahead', async () => {
    const store = new MapKeyStore()
    const time = clock()
    const ring = await KeyRing.open(store, settings(time.now))
    const first = ring.signingKey().kid

    time.set(T0 + ROTATION - AHEAD - 1)
    assert.deepEqual(await ring.maintain(), { created: [], retired: [], deleted: [] })
    time.set(T0 + ROTATION - AHEAD)
    const report = await ring.maintain()
    assert.equal(report.created.length, 1)
    assert.deepEqual(report.retired, [first])
    const next = store.records.get(report.created[0])
    assert.equal(next?.activatesAt, T0 + ROTATION)
    assert.equal((await ring.maintain()).created.length, 0, 'one pending key at a time')

    time.set(T0 + ROTATION - 1)
    assert.equal(ring.signingKey().kid, first)
    time.set(T0 + ROTATION)
    assert.equal(ring.signingKey().kid, next?.kid)
  })

  it('after a long stop, the overdue key is still published ahead before it signs', async () => {
    const store = new MapKeyStore()
    const time = clock()
    const ring = await KeyRing.open(store, settings(time.now))
    time.set(T0 + 10 * ROTATION)
    const report = await ring.maintain()
    assert.equal(store.records.get(report.created[0])?.activatesAt, T0 + 10 * ROTATION + AHEAD)
  })

  it('a change of algorithm rotates to a key of the new algorithm, published ahead', async () => {
    const store = new MapKeyStore()
    const time = clock()
    await KeyRing.open(store, settings(time.now))
    time.set(T0 + 60)
    const ring = await KeyRing.open(store, settings(time.now, { algorithm: 'EdDSA' }))
    assert.equal(ring.signingKey().algorithm, 'ES256')
    time.set(T0 + 60 + AHEAD)
    assert.equal(ring.signingKey().algorithm, 'EdDSA')
  })

  it('reload picks up a rotation done by another process', async () => {
    const store = new MapKeyStore()
    const time = clock()
    const a = await KeyRing.open(store, settings(time.now))
    const b = await KeyRing.open(store, settings(time.now))
    time.set(T0 + 30)
    const created = await a.rotate({ publishAheadSeconds: 0 })
    assert.notEqual(b.signingKey().kid, created.kid)
    await b.reload()
    assert.equal(b.signingKey().kid, created.kid)
    assert.deepEqual(kids(b), kids(a))
  })

  it('two processes rotating at the same moment converge on one timeline', async () => {
    const store = new MapKeyStore()
    const time = clock()
    const a = await KeyRing.open(store, settings(time.now))
    const b = await KeyRing.open(store, settings(time.now))
    time.set(T0 + 100)
    await Promise.all([a.rotate(), b.rotate()])
    await a.maintain()
    await b.maintain()
    const records = [...store.records.values()].sort((x, y) => x.activatesAt - y.activatesAt || x.createdAt - y.createdAt || (x.kid < y.kid ? -1 : 1))
    assert.equal(records.length, 3)
    // Every key but the last retires when the next one activates; only the last has no end.
    for (let i = 0; i + 1 < records.length; i++) assert.equal(records[i].retiredAt, records[i + 1].activatesAt)
    assert.equal(records[2].retiredAt, null)
    time.set(T0 + 100 + AHEAD)
    assert.equal(a.signingKey().kid, records[2].kid)
    assert.equal(b.signingKey().kid, records[2].kid)
  })

  it('maintain and rotate from one process do not interleave their store writes', async () => {
    const store = new MapKeyStore()
    const time = clock()
    const ring = await KeyRing.open(store, settings(time.now))
    time.set(T0 + ROTATION)
    await Promise.all([ring.maintain(), ring.rotate(), ring.maintain()])
    // maintain saw no pending key and scheduled one; rotate added one; the second maintain saw a pending key.
    assert.equal(store.records.size, 3)
  })

  it('creates a fresh active key when no stored key can sign any more (all retired and expired)', async () => {
    const store = new MapKeyStore()
    const retired = generateSigningKey('ES256', T0 - 10_000)
    await store.saveKey({ ...retired, retiredAt: T0 - 5000, expiresAt: T0 - 4000 })
    const ring = await KeyRing.open(store, settings(clock().now))
    assert.equal(store.records.has(retired.kid), false)
    assert.equal(store.records.size, 1)
    assert.notEqual(ring.signingKey().kid, retired.kid)
    assert.equal(ring.verificationKey(retired.kid), undefined)
  })
})
