import assert from 'node:assert/strict'
import { createPrivateKey, createPublicKey, generateKeyPairSync } from 'node:crypto'
import { describe, it } from 'node:test'
import { GatehouseError } from '../../core/errors/gatehouse-error.ts'
import { verificationKeyFromJwk } from '../../jose/verification-key.ts'
import { generateSigningKey, generateSigningKeyAsync, type SigningAlgorithm } from './generate-signing-key.ts'
import { jwkThumbprint } from './jwk-thumbprint.ts'
import { loadSigningKey } from './loaded-key.ts'

const NOW = 1_760_000_000

describe('jwkThumbprint', () => {
  it('matches the RFC 7638 §3.1 example', () => {
    const jwk = {
      kty: 'RSA',
      n: '0vx7agoebGcQSuuPiLJXZptN9nndrQmbXEps2aiAFbWhM78LhWx4cbbfAAtVT86zwu1RK7aPFFxuhDR1L6tSoc_BJECPebWKRXjBZCiFV4n3oknjhMstn64tZ_2W-5JsGY4Hc5n9yBXArwl93lqt7_RN5w6Cf0h4QyQ5v-65YGjQR0_FDW2QvzqY368QQMicAtaSqzs8KJZgnYb9c7d0zgdAZHzu6qMQvRL5hajrn1n91CbOpbISD08qNLyrdkt-bFTWhAI4vMQFh6WeZu0fM4lFd2NcRwr3XPksINHaQ-G_xBniIqbw0Ls1jF44-csFCur-kEgU8awapJzKnqDKgw',
      e: 'AQAB',
      alg: 'RS256',
      kid: '2011-04-29',
    }
    assert.equal(jwkThumbprint(jwk), 'NzbLsXh8uDCcd-6MNwXF4W_7noWXFZAfHkxZsRGC9Xs')
  })

  it('ignores optional members and refuses unknown key types', () => {
    const { publicKey } = generateKeyPairSync('ed25519')
    const jwk = publicKey.export({ format: 'jwk' })
    assert.equal(jwkThumbprint({ ...jwk, use: 'sig', kid: 'x' }), jwkThumbprint(jwk))
    assert.throws(() => jwkThumbprint({ kty: 'oct', k: 'AAAA' }), TypeError)
    assert.throws(() => jwkThumbprint({ kty: 'EC', crv: 'P-256', x: 'AA' }), TypeError)
  })
})

describe('generateSigningKey', () => {
  const expected: Record<SigningAlgorithm, { type: string; details: Record<string, unknown>; kty: string }> = {
    RS256: { type: 'rsa', details: { modulusLength: 2048 }, kty: 'RSA' },
    PS256: { type: 'rsa', details: { modulusLength: 2048 }, kty: 'RSA' },
    ES256: { type: 'ec', details: { namedCurve: 'prime256v1' }, kty: 'EC' },
    EdDSA: { type: 'ed25519', details: {}, kty: 'OKP' },
  }
  for (const [algorithm, want] of Object.entries(expected) as [SigningAlgorithm, (typeof expected)[SigningAlgorithm]][]) {
    it(`${algorithm}: PKCS#8 PEM private key, public JWK with thumbprint kid, alg and use`, () => {
      const record = generateSigningKey(algorithm, NOW)
      assert.match(record.privateKeyPem, /^-----BEGIN PRIVATE KEY-----\n/)
      const privateKey = createPrivateKey(record.privateKeyPem)
      assert.equal(privateKey.asymmetricKeyType, want.type)
      for (const [name, value] of Object.entries(want.details)) assert.equal((privateKey.asymmetricKeyDetails as Record<string, unknown>)[name], value)
      const jwk = JSON.parse(record.publicJwk)
      assert.equal(jwk.kty, want.kty)
      assert.equal(jwk.alg, algorithm)
      assert.equal(jwk.use, 'sig')
      assert.equal(jwk.kid, record.kid)
      assert.equal(record.kid, jwkThumbprint(createPublicKey(privateKey).export({ format: 'jwk' })))
      assert.equal(Object.hasOwn(jwk, 'd'), false)
      assert.deepEqual([record.createdAt, record.activatesAt, record.retiredAt, record.expiresAt], [NOW, NOW, null, null])
    })
  }

  it('the async form produces the same kind of record', async () => {
    const record = await generateSigningKeyAsync('ES256', NOW)
    assert.equal(loadSigningKey(record).kid, record.kid)
  })

  it('refuses an algorithm it does not make keys for', () => {
    assert.throws(() => generateSigningKey('HS256' as SigningAlgorithm, NOW), (e: unknown) => e instanceof GatehouseError && e.code === 'GH_ERR_CONFIG_INVALID')
  })
})

describe('loadSigningKey', () => {
  it('parses once into KeyObjects with the signing options ready', () => {
    const loaded = loadSigningKey(generateSigningKey('PS256', NOW))
    assert.equal(loaded.privateKey.type, 'private')
    assert.equal(loaded.publicKey.type, 'public')
    assert.equal(loaded.signHash, 'sha256')
    assert.equal((loaded.signKey as { saltLength: number }).saltLength, 32)
    assert.equal(loaded.verification.algorithm, 'PS256')
    assert.ok(Object.isFrozen(loaded))
  })

  it('refuses damaged records: unreadable PEM, algorithm of another key type, JWK of another key', () => {
    const rsa = generateSigningKey('RS256', NOW)
    const ec = generateSigningKey('ES256', NOW)
    assert.throws(() => loadSigningKey({ ...rsa, privateKeyPem: 'garbage' }), /not a readable PEM/)
    assert.throws(() => loadSigningKey({ ...rsa, algorithm: 'ES256' }), /does not fit/)
    assert.throws(() => loadSigningKey({ ...rsa, publicJwk: ec.publicJwk }), /kid\/alg differ/)
    const foreign = { ...JSON.parse(ec.publicJwk), kid: ec.kid, alg: 'ES256' }
    const otherEc = generateSigningKey('ES256', NOW)
    assert.throws(() => loadSigningKey({ ...otherEc, kid: ec.kid, publicJwk: JSON.stringify(foreign) }), /does not belong/)
    assert.throws(() => loadSigningKey({ ...rsa, publicJwk: '[1]' }), /not a JSON object/)
  })
})

describe('verificationKeyFromJwk', () => {
  it('imports public JWKs and pins the alg they name', () => {
    const record = generateSigningKey('ES256', NOW)
    const key = verificationKeyFromJwk(JSON.parse(record.publicJwk))
    assert.equal(key.algorithm, 'ES256')
    assert.equal(key.key.type, 'public')
    const { alg: _alg, ...withoutAlg } = JSON.parse(record.publicJwk)
    assert.equal(verificationKeyFromJwk(withoutAlg).algorithm, undefined)
  })

  it('refuses private JWKs, encryption keys, symmetric keys, short RSA keys and mismatched algs', () => {
    const rsa = generateKeyPairSync('rsa', { modulusLength: 2048 })
    const short = generateKeyPairSync('rsa', { modulusLength: 1024 })
    const cases: [unknown, RegExp][] = [
      [rsa.privateKey.export({ format: 'jwk' }), /private member "d"/],
      [{ ...rsa.publicKey.export({ format: 'jwk' }), use: 'enc' }, /"use"/],
      [{ kty: 'oct', k: 'c2VjcmV0' }, /private member "k"/],
      [short.publicKey.export({ format: 'jwk' }), /not supported/],
      [{ ...rsa.publicKey.export({ format: 'jwk' }), alg: 'ES256' }, /does not fit/],
      [{ ...rsa.publicKey.export({ format: 'jwk' }), alg: 'HS256' }, /not a supported/],
      [{ kty: 'RSA', n: 'AA' }, /cannot be imported/],
      ['{"kty":"RSA"}', /not a JSON object/],
    ]
    for (const [jwk, message] of cases) assert.throws(() => verificationKeyFromJwk(jwk), message, JSON.stringify(jwk).slice(0, 60))
  })
})
