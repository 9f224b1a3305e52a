import assert from 'node:assert/strict'
import { afterEach, describe, it } from 'node:test'
import { claims, forge, loadedKey, options, signAs } from '../keymanager/tokens/jwt-test-kit.fixture.ts'
import { AccessTokenIssuer } from '../keymanager/tokens/access-token-issuer.ts'
import { JwtError } from './jwt-error.ts'
import { forgetSelfSigned, isSelfSigned, rememberSelfSigned } from './self-signed.ts'
import { verifyJwt } from './verify-jwt.ts'

const k1 = loadedKey('ES256')
const impostor = loadedKey('ES256')
const header = { alg: 'ES256', typ: 'at+jwt', kid: 'k1' }

const reason = (fn: () => unknown): string => {
  try {
    fn()
  } catch (error) {
    assert.ok(error instanceof JwtError, String(error))
    return error.reason
  }
  return 'accepted'
}

describe('self-signed tokens', () => {
  afterEach(forgetSelfSigned)

  it('a remembered token skips only the signature check: proven with a key that could not verify it', () => {
    // Signed by another key under kid k1: a full check refuses it; once remembered it passes the
    // signature step, which is exactly (and only) what remembering means.
    const token = forge(header, claims(), signAs('ES256', impostor))
    assert.equal(reason(() => verifyJwt(token, options({ k1 }, { algorithms: ['ES256'] }))), 'bad_signature')
    rememberSelfSigned(token)
    assert.equal(reason(() => verifyJwt(token, options({ k1 }, { algorithms: ['ES256'] }))), 'accepted')
  })

  it('every other check still runs on a remembered token', () => {
    const expired = forge(header, claims({ exp: 1 }), signAs('ES256', k1))
    const wrongAlg = forge({ ...header, alg: 'ES384' }, claims(), signAs('ES256', k1))
    const unknownKid = forge({ ...header, kid: 'gone' }, claims(), signAs('ES256', k1))
    for (const token of [expired, wrongAlg, unknownKid]) rememberSelfSigned(token)
    assert.equal(reason(() => verifyJwt(expired, options({ k1 }, { algorithms: ['ES256'] }))), 'expired')
    assert.equal(reason(() => verifyJwt(wrongAlg, options({ k1 }, { algorithms: ['ES256'] }))), 'alg_not_allowed')
    assert.equal(reason(() => verifyJwt(unknownKid, options({ k1 }, { algorithms: ['ES256'] }))), 'unknown_kid')
  })

  it('a token differing in one character from a remembered one is fully verified (tampering)', () => {
    const token = forge(header, claims(), signAs('ES256', k1))
    rememberSelfSigned(token)
    const [h, p, s] = token.split('.')
    const tampered = `${h}.${forge(header, claims({ sub: 'admin' })).split('.')[1]}.${s}`
    assert.notEqual(tampered, `${h}.${p}.${s}`)
    assert.equal(reason(() => verifyJwt(tampered, options({ k1 }, { algorithms: ['ES256'] }))), 'bad_signature')
  })

  it('the key manager remembers what it signs, and the memory is bounded', () => {
    const issuer = new AccessTokenIssuer({ issuer: 'https://as.example', keys: { signingKey: () => k1, maxTokenLifetimeSeconds: 3600 } as never })
    const { token } = issuer.issue({ clientId: 'c', subject: 'c', scopes: ['read'], audience: 'api', ttlSeconds: 60 })
    assert.equal(isSelfSigned(token), true)
    for (let i = 0; i < 20_001; i++) rememberSelfSigned(`filler-${i}`)
    assert.equal(isSelfSigned(token), false, 'older tokens are forgotten once 20 000 newer ones were signed')
  })
})
