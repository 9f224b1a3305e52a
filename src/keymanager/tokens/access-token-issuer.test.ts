import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { GatehouseError } from '../../core/errors/gatehouse-error.ts'
import { ISSUER, loadedKey, NOW } from './jwt-test-kit.fixture.ts'
import { AccessTokenIssuer } from './access-token-issuer.ts'
import { createJwtVerifier } from '../../jose/verify-jwt.ts'

const key = loadedKey('ES256')
const issuer = new AccessTokenIssuer({ issuer: ISSUER, keys: { signingKey: () => key, maxTokenLifetimeSeconds: 3600 }, now: () => NOW + 0.7 })
const verifier = createJwtVerifier({
  keys: (kid) => (kid === key.kid ? key.verification : undefined),
  algorithms: ['ES256'],
  issuer: ISSUER,
  audience: 'orders',
  typ: 'at+jwt',
  clockToleranceSeconds: 0,
  maxTokenBytes: 8192,
  requiredClaims: ['iss', 'sub', 'aud', 'exp', 'iat', 'jti', 'client_id'],
})

describe('AccessTokenIssuer', () => {
  it('issues an RFC 9068 token: typ at+jwt, iss sub aud exp iat jti client_id scope', () => {
    const issued = issuer.issue({ clientId: 'app', subject: 'user-1', scopes: ['read', 'write'], audience: 'orders', ttlSeconds: 300, familyId: 'fam-1' })
    const { header, payload } = verifier(issued.token, NOW)
    assert.deepEqual({ ...header }, { alg: 'ES256', typ: 'at+jwt', kid: key.kid })
    assert.deepEqual(payload, { iss: ISSUER, sub: 'user-1', aud: 'orders', exp: NOW + 300, iat: NOW, jti: issued.jti, client_id: 'app', scope: 'read write' })
    assert.equal(issued.issuedAt, NOW)
    assert.equal(issued.expiresAt, NOW + 300)
    assert.deepEqual(issued.record, { jti: issued.jti, clientId: 'app', subject: 'user-1', scopes: ['read', 'write'], familyId: 'fam-1', issuedAt: NOW, expiresAt: NOW + 300, revoked: false })
  })

  it('jti is a time prefix and 96 random bits, unique per token and sorted by issue time', () => {
    const seen = new Set<string>()
    for (let i = 0; i < 1000; i++) {
      const { jti } = issuer.issue({ clientId: 'app', subject: 'app', scopes: [], audience: 'orders', ttlSeconds: 60 })
      assert.match(jti, /^[0-9a-z]{9}[A-Za-z0-9_-]{16}$/)
      seen.add(jti)
    }
    assert.equal(seen.size, 1000)
    const prefixes = [...seen].map((jti) => jti.slice(0, 9))
    assert.deepEqual([...prefixes].sort(), prefixes, 'the time prefixes never go backwards in issue order')
  })

  it('omits scope when none was granted and writes several audiences as an array', () => {
    const issued = issuer.issue({ clientId: 'app', subject: 'app', scopes: [], audience: ['orders', 'billing'], ttlSeconds: 60 })
    const { payload } = verifier(issued.token, NOW)
    assert.equal(Object.hasOwn(payload, 'scope'), false)
    assert.deepEqual(payload.aud, ['orders', 'billing'])
    assert.equal(issued.record.familyId, null)
    assert.equal(verifier(issuer.issue({ clientId: 'app', subject: 'app', scopes: [], audience: ['orders'], ttlSeconds: 60 }).token, NOW).payload.aud, 'orders')
  })

  it('refuses lifetimes beyond the key ring\'s maximum (retired keys would vanish before the token expires)', () => {
    for (const ttlSeconds of [0, -5, 3601, 1.5, Number.NaN]) {
      assert.throws(() => issuer.issue({ clientId: 'app', subject: 'app', scopes: [], audience: 'orders', ttlSeconds }), (e: unknown) => e instanceof GatehouseError && e.code === 'GH_ERR_INTERNAL', String(ttlSeconds))
    }
  })

  it('refuses scope values that would change the meaning of the space-delimited list', () => {
    for (const scopes of [['read write'], [''], ['a"b'], ['caf\u00e9'], ['a\\b']]) {
      assert.throws(() => issuer.issue({ clientId: 'app', subject: 'app', scopes, audience: 'orders', ttlSeconds: 60 }), GatehouseError, JSON.stringify(scopes))
    }
  })

  it('refuses an empty audience, client id or subject', () => {
    for (const request of [{ audience: '' }, { audience: [] }, { clientId: '' }, { subject: '' }]) {
      assert.throws(() => issuer.issue({ clientId: 'app', subject: 'app', scopes: [], audience: 'orders', ttlSeconds: 60, ...request }), GatehouseError, JSON.stringify(request))
    }
  })
})
