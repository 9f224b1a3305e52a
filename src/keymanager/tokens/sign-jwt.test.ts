import assert from 'node:assert/strict'
import { constants, verify } from 'node:crypto'
import { describe, it } from 'node:test'
import { GatehouseError } from '../../core/errors/gatehouse-error.ts'
import { claims, ecdsaRawToDer, loadedKey, options } from './jwt-test-kit.fixture.ts'
import { signJwt } from './sign-jwt.ts'
import { verifyJwt } from '../../jose/verify-jwt.ts'

function parts(token: string): { header: Record<string, unknown>; payload: Record<string, unknown>; input: Buffer; signature: Buffer } {
  const [h, p, s] = token.split('.')
  return {
    header: JSON.parse(Buffer.from(h, 'base64url').toString()),
    payload: JSON.parse(Buffer.from(p, 'base64url').toString()),
    input: Buffer.from(`${h}.${p}`),
    signature: Buffer.from(s, 'base64url'),
  }
}

describe('signJwt', () => {
  for (const alg of ['RS256', 'PS256', 'ES256', 'EdDSA'] as const) {
    it(`${alg}: round-trips through verifyJwt with the header and claims intact`, () => {
      const key = loadedKey(alg)
      const token = signJwt({ alg, kid: key.kid, typ: 'at+jwt' }, claims(), key)
      assert.match(token, /^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+$/)
      const { header, payload } = verifyJwt(token, options({ [key.kid]: key }, { algorithms: [alg], typ: 'at+jwt' }))
      assert.deepEqual({ ...header }, { alg, typ: 'at+jwt', kid: key.kid })
      assert.deepEqual(payload, claims())
    })
  }

  it('RS256 is RSASSA-PKCS1-v1_5 with SHA-256 (checked with crypto.verify directly)', () => {
    const key = loadedKey('RS256')
    const { input, signature } = parts(signJwt({ alg: 'RS256', kid: key.kid }, claims(), key))
    assert.equal(signature.length, 256)
    assert.ok(verify('sha256', input, { key: key.publicKey, padding: constants.RSA_PKCS1_PADDING }, signature))
  })

  it('PS256 is RSA-PSS with SHA-256, MGF1 and a 32-byte salt', () => {
    const key = loadedKey('PS256')
    const { input, signature } = parts(signJwt({ alg: 'PS256', kid: key.kid }, claims(), key))
    assert.ok(verify('sha256', input, { key: key.publicKey, padding: constants.RSA_PKCS1_PSS_PADDING, saltLength: 32 }, signature))
    assert.ok(!verify('sha256', input, { key: key.publicKey, padding: constants.RSA_PKCS1_PSS_PADDING, saltLength: 20 }, signature))
    assert.ok(!verify('sha256', input, key.publicKey, signature), 'not a PKCS#1 v1.5 signature')
  })

  it('ES256 signatures are raw r||s (64 bytes) and verify both as IEEE P1363 and, converted, as DER', () => {
    const key = loadedKey('ES256')
    for (let i = 0; i < 20; i++) {
      const { input, signature } = parts(signJwt({ alg: 'ES256', kid: key.kid }, claims({ jti: `j${i}` }), key))
      assert.equal(signature.length, 64)
      assert.ok(verify('sha256', input, { key: key.publicKey, dsaEncoding: 'ieee-p1363' }, signature))
      assert.ok(verify('sha256', input, key.publicKey, ecdsaRawToDer(signature)))
    }
  })

  it('EdDSA is Ed25519 over the signing input', () => {
    const key = loadedKey('EdDSA')
    const { input, signature } = parts(signJwt({ alg: 'EdDSA', kid: key.kid }, claims(), key))
    assert.equal(signature.length, 64)
    assert.ok(verify(null, input, key.publicKey, signature))
  })

  it('the header carries exactly alg, typ and kid, and no typ when none is given', () => {
    const key = loadedKey('ES256')
    assert.deepEqual(parts(signJwt({ alg: 'ES256', kid: key.kid, typ: 'at+jwt' }, {}, key)).header, { alg: 'ES256', typ: 'at+jwt', kid: key.kid })
    assert.deepEqual(parts(signJwt({ alg: 'ES256', kid: key.kid }, {}, key)).header, { alg: 'ES256', kid: key.kid })
  })

  it('refuses a header that does not name the key\'s own alg and kid', () => {
    const key = loadedKey('ES256')
    for (const header of [{ alg: 'RS256', kid: key.kid }, { alg: 'ES256', kid: 'other' }, { alg: 'none', kid: key.kid }]) {
      assert.throws(() => signJwt(header, claims(), key), (e: unknown) => e instanceof GatehouseError && e.code === 'GH_ERR_INTERNAL')
    }
  })

  it('encodes non-ASCII claims as UTF-8', () => {
    const key = loadedKey('EdDSA')
    const token = signJwt({ alg: 'EdDSA', kid: key.kid }, claims({ sub: 'Zoë \u{1f600}' }), key)
    assert.equal(verifyJwt(token, options({ [key.kid]: key }, { algorithms: ['EdDSA'] })).payload.sub, 'Zoë \u{1f600}')
  })
})
