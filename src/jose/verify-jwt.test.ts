import assert from 'node:assert/strict'
import { createServer } from 'node:http'
import type { AddressInfo } from 'node:net'
import { describe, it } from 'node:test'
import { GatehouseError } from '../core/errors/gatehouse-error.ts'
import { claims, ecdsaRawToDer, forge, hmacWith, ISSUER, loadedKey, NOW, options, signAs } from '../keymanager/tokens/jwt-test-kit.fixture.ts'
import { JwtError, type JwtRejection } from './jwt-error.ts'
import { signJwt } from '../keymanager/tokens/sign-jwt.ts'
import { createJwtVerifier, verifyJwt, type VerifyJwtOptions } from './verify-jwt.ts'
import { verificationKeyFromJwk } from './verification-key.ts'

const k1 = loadedKey('RS256')
const ec = loadedKey('ES256')
const header = { alg: 'RS256', typ: 'at+jwt', kid: 'k1' }
const base = options({ k1 })
const good = forge(header, claims(), signAs('RS256', k1))

function rejects(token: string, reason: JwtRejection, opts: VerifyJwtOptions = base): void {
  assert.throws(() => verifyJwt(token, opts), (error: unknown) => {
    assert.ok(error instanceof JwtError, `expected a JwtError, got ${String(error)}`)
    assert.equal(error.reason, reason, error.message)
    return true
  })
}

describe('verifyJwt: accepted tokens', () => {
  it('accepts a well-formed RS256 token and returns header and claims', () => {
    const { header: h, payload } = verifyJwt(good, base)
    assert.equal(h.kid, 'k1')
    assert.equal(payload.sub, 'user-1')
    assert.ok(Object.isFrozen(h))
  })

  it('a compiled verifier gives the same answers as verifyJwt', () => {
    const verifier = createJwtVerifier(base)
    assert.equal(verifier(good, NOW).payload.jti, 'j1')
    assert.throws(() => verifier(good, NOW + 400), (e: unknown) => e instanceof JwtError && e.reason === 'expired')
  })
})

describe('verifyJwt: JWT-01 alg none', () => {
  for (const alg of ['none', 'None', 'NONE', 'nOnE']) {
    it(`JWT-01: alg ${alg} with an empty signature is refused`, () => {
      rejects(forge({ alg, typ: 'at+jwt', kid: 'k1' }, claims()), 'alg_not_allowed')
    })
  }

  it('JWT-01: alg none with a real RS256 signature attached is still refused', () => {
    rejects(forge({ alg: 'none', kid: 'k1' }, claims(), signAs('RS256', k1)), 'alg_not_allowed')
  })

  it('JWT-01/CFG-05: none, HS256 or an empty list cannot be configured at all', () => {
    for (const algorithms of [['none'], ['RS256', 'HS256'], [], ['rs256']]) {
      assert.throws(() => createJwtVerifier(options({ k1 }, { algorithms })), (e: unknown) => e instanceof GatehouseError && e.code === 'GH_ERR_CONFIG_INVALID', JSON.stringify(algorithms))
    }
  })
})

describe('verifyJwt: JWT-02 HS/RS confusion', () => {
  const publicPem = k1.publicKey.export({ type: 'spki', format: 'pem' }) as string
  const publicDer = k1.publicKey.export({ type: 'spki', format: 'der' })
  const publicJwk = JSON.stringify(k1.publicJwk)
  for (const [form, secret] of [['PEM', publicPem], ['DER', publicDer], ['JWK JSON', publicJwk]] as const) {
    it(`JWT-02: HS256 keyed with the RS256 public key (${form}) is refused`, () => {
      rejects(forge({ alg: 'HS256', typ: 'at+jwt', kid: 'k1' }, claims(), hmacWith(secret)), 'alg_not_allowed')
    })
  }

  it('JWT-02: an allowed algorithm of another key type is refused for this key', () => {
    const both = options({ k1, ec }, { algorithms: ['RS256', 'ES256'] })
    // ES256 signed with the EC key, but naming the RSA key's kid.
    rejects(forge({ alg: 'ES256', kid: 'k1' }, claims(), signAs('ES256', ec)), 'alg_not_allowed', both)
    // And the EC key with an RSA algorithm.
    rejects(forge({ alg: 'RS256', kid: 'ec' }, claims(), signAs('RS256', k1)), 'alg_not_allowed', both)
  })
})

describe('verifyJwt: JWT-03 algorithm allow-list', () => {
  for (const alg of ['RS512', 'PS256']) {
    it(`JWT-03: a valid k1 signature with alg ${alg} is refused when only RS256 is allowed`, () => {
      const token = forge({ alg, typ: 'at+jwt', kid: 'k1' }, claims(), signAs(alg, k1))
      rejects(token, 'alg_not_allowed')
      // The signature itself is fine: allowing the algorithm for an RSA key not pinned to RS256
      // makes the same token pass.
      const unpinned = options({ k1: { key: k1.publicKey } }, { algorithms: ['RS256', alg] })
      assert.equal(verifyJwt(token, unpinned).payload.sub, 'user-1')
      rejects(token, 'alg_not_allowed', { ...unpinned, algorithms: ['RS256'] })
    })
  }

  it('JWT-03: a header without alg is refused', () => {
    rejects(forge({ typ: 'at+jwt', kid: 'k1' }, claims(), signAs('RS256', k1)), 'alg_not_allowed')
  })

  it('a JWK that names its alg pins the key to that alg', () => {
    const pinned = verificationKeyFromJwk(k1.publicJwk)
    const opts = options({ k1: pinned }, { algorithms: ['RS256', 'PS256'] })
    rejects(forge({ alg: 'PS256', kid: 'k1' }, claims(), signAs('PS256', k1)), 'alg_not_allowed', opts)
    assert.equal(verifyJwt(good, opts).payload.sub, 'user-1')
  })
})

describe('verifyJwt: JWT-04 kid injection', () => {
  it('JWT-04: hostile kid values are only exact map keys and find nothing', () => {
    const seen: unknown[] = []
    const opts: VerifyJwtOptions = { ...base, keys: (kid) => { seen.push(kid); return kid === 'k1' ? k1.verification : undefined } }
    const hostile = ['../../dev/null', "x' OR '1'='1", 'k'.repeat(10 * 1024), 'k1\u0000', 'K1', ' k1']
    for (const kid of hostile) {
      rejects(forge({ alg: 'RS256', kid }, claims(), signAs('RS256', k1)), hostile.indexOf(kid) === 2 ? 'token_too_large' : 'unknown_kid', opts)
    }
    assert.deepEqual(seen, hostile.filter((_, i) => i !== 2))
  })

  it('JWT-04: a 10 KiB kid within a larger size bound is still only a failed lookup', () => {
    rejects(forge({ alg: 'RS256', kid: 'k'.repeat(10 * 1024) }, claims(), signAs('RS256', k1)), 'unknown_kid', { ...base, maxTokenBytes: 64 * 1024 })
  })

  it('JWT-04: a numeric or missing kid is refused', () => {
    rejects(forge({ alg: 'RS256', kid: 1 }, claims(), signAs('RS256', k1)), 'malformed')
    rejects(forge({ alg: 'RS256' }, claims(), signAs('RS256', k1)), 'unknown_kid')
  })
})

describe('verifyJwt: JWT-06 header-supplied keys and crit', () => {
  it('JWT-06: an embedded jwk with the attacker key that signed the token is refused', () => {
    const attacker = loadedKey('RS256')
    const token = forge({ alg: 'RS256', kid: 'k1', jwk: attacker.publicJwk }, claims(), signAs('RS256', attacker))
    rejects(token, 'unsupported_header:jwk')
  })

  it('JWT-06: jku and x5u are refused without any outbound request', async () => {
    let requests = 0
    const server = createServer((_req, res) => { requests++; res.end('{"keys":[]}') })
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
    const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/jwks`
    try {
      rejects(forge({ alg: 'RS256', kid: 'k1', jku: url }, claims(), signAs('RS256', k1)), 'unsupported_header:jku')
      rejects(forge({ alg: 'RS256', kid: 'k1', x5u: url }, claims(), signAs('RS256', k1)), 'unsupported_header:x5u')
      await new Promise((resolve) => setTimeout(resolve, 50))
      assert.equal(requests, 0)
    } finally {
      await new Promise((resolve) => server.close(resolve))
    }
  })

  it('JWT-06: an x5c chain is refused', () => {
    rejects(forge({ alg: 'RS256', kid: 'k1', x5c: ['MIIB'] }, claims(), signAs('RS256', k1)), 'unsupported_header:x5c')
  })

  for (const crit of [['urn:x:unknown'], [], ['exp'], 'b64']) {
    it(`JWT-06: crit ${JSON.stringify(crit)} is refused`, () => {
      rejects(forge({ alg: 'RS256', kid: 'k1', crit, 'urn:x:unknown': true }, claims(), signAs('RS256', k1)), 'crit_unsupported')
    })
  }
})

describe('verifyJwt: JWT-07 time claims (leeway 30 s)', () => {
  const signed = (overrides: Record<string, unknown>): string => forge(header, claims(overrides), signAs('RS256', k1))

  it('JWT-07: exp 10 s ago is accepted within the leeway, 31 s ago is expired', () => {
    assert.equal(verifyJwt(signed({ exp: NOW - 10 }), base).payload.exp, NOW - 10)
    rejects(signed({ exp: NOW - 31 }), 'expired')
    rejects(signed({ exp: NOW - 30 }), 'expired')
  })

  it('JWT-07: a missing exp is refused when required', () => {
    rejects(signed({ exp: undefined }), 'missing_claim:exp')
    rejects(signed({ exp: null }), 'missing_claim:exp')
  })

  it('JWT-07: nbf 120 s ahead is not valid yet; 20 s ahead is within the leeway', () => {
    rejects(signed({ nbf: NOW + 120 }), 'not_yet_valid')
    assert.equal(verifyJwt(signed({ nbf: NOW + 20 }), base).payload.nbf, NOW + 20)
  })

  it('JWT-07: iat an hour ahead is refused', () => {
    rejects(signed({ iat: NOW + 3600 }), 'issued_in_future')
  })

  it('time claims that are not NumericDates are refused', () => {
    rejects(signed({ exp: String(NOW + 300) }), 'invalid_claim:exp')
    rejects(signed({ nbf: [NOW] }), 'invalid_claim:nbf')
    rejects(signed({ iat: true }), 'invalid_claim:iat')
  })
})

describe('verifyJwt: JWT-09 issuer and audience', () => {
  const signed = (overrides: Record<string, unknown>): string => forge(header, claims(overrides), signAs('RS256', k1))

  it('JWT-09: an issuer with a trailing slash or a foreign issuer is refused', () => {
    rejects(signed({ iss: `${ISSUER}/` }), 'wrong_issuer')
    rejects(signed({ iss: 'https://evil.example' }), 'wrong_issuer')
    rejects(signed({ iss: 7 }), 'invalid_claim:iss')
  })

  it('JWT-09: a missing aud or another API\'s aud is refused; an array naming orders is accepted', () => {
    rejects(signed({ aud: undefined }), 'missing_claim:aud')
    rejects(signed({ aud: 'billing' }), 'wrong_audience')
    rejects(signed({ aud: ['billing'] }), 'wrong_audience')
    assert.deepEqual(verifyJwt(signed({ aud: ['billing', 'orders'] }), base).payload.aud, ['billing', 'orders'])
    rejects(signed({ aud: ['orders', 1] }), 'invalid_claim:aud')
    rejects(signed({ aud: { orders: true } }), 'invalid_claim:aud')
  })

  it('required claims are checked by presence', () => {
    rejects(signed({ jti: undefined }), 'missing_claim:jti')
    rejects(forge(header, { ...claims(), sub: undefined }, signAs('RS256', k1)), 'missing_claim:sub')
  })

  it('an explicit typ is compared as a media type', () => {
    const typed = { ...base, typ: 'at+jwt' }
    assert.equal(verifyJwt(forge({ ...header, typ: 'application/AT+JWT' }, claims(), signAs('RS256', k1)), typed).payload.sub, 'user-1')
    rejects(forge({ ...header, typ: 'JWT' }, claims(), signAs('RS256', k1)), 'wrong_typ', typed)
    rejects(forge({ alg: 'RS256', kid: 'k1' }, claims(), signAs('RS256', k1)), 'wrong_typ', typed)
  })
})

describe('verifyJwt: JWT-11 tampering and malformed input', () => {
  it('JWT-11: one bit flipped in the payload breaks the signature', () => {
    const [h, p, s] = good.split('.')
    // A flip inside a claim's value keeps the payload valid JSON with valid claims: only the
    // signature can tell.
    const text = Buffer.from(p, 'base64url').toString('latin1')
    const at = text.indexOf('"sub":"') + '"sub":"'.length
    const flipped = text.slice(0, at) + String.fromCharCode(text.charCodeAt(at) ^ 0x01) + text.slice(at + 1)
    assert.notEqual(flipped, text)
    rejects(`${h}.${Buffer.from(flipped, 'latin1').toString('base64url')}.${s}`, 'bad_signature')
    // A flip that breaks the JSON is refused before any signature work.
    const bytes = Buffer.from(p, 'base64url')
    bytes[5] ^= 0x01
    rejects(`${h}.${bytes.toString('base64url')}.${s}`, 'malformed')
  })

  it('claims are checked before the signature: an expired or foreign token with a bad signature costs no verification', () => {
    const [, , s] = good.split('.')
    const badSignature = (token: string): string => `${token.split('.').slice(0, 2).join('.')}.${s}`
    rejects(badSignature(forge(header, claims({ exp: NOW - 3600 }))), 'expired')
    rejects(badSignature(forge(header, claims({ aud: 'billing' }))), 'wrong_audience')
    rejects(badSignature(forge(header, claims({ iss: 'https://other.example' }))), 'wrong_issuer')
    // With claims that pass, the same signature is what refuses the token.
    rejects(badSignature(forge(header, claims({ jti: 'another' }))), 'bad_signature')
  })

  it('JWT-11: a tampered or stripped signature is refused', () => {
    const [h, p, s] = good.split('.')
    const signature = Buffer.from(s, 'base64url')
    signature[0] ^= 0x80
    rejects(`${h}.${p}.${signature.toString('base64url')}`, 'bad_signature')
    rejects(`${h}.${p}.`, 'bad_signature')
    rejects(`${h}.${p}.${s.slice(0, 40)}`, 'bad_signature')
  })

  it('JWT-11: two, four and five (JWE) segments are malformed', () => {
    const [h, p, s] = good.split('.')
    for (const token of [`${h}.${p}`, `${h}.${p}.${s}.${s}`, `${h}.${p}.${s}.${s}.${s}`, '', '..', h]) rejects(token, 'malformed')
  })

  it('JWT-11: padding and characters outside base64url are malformed', () => {
    const [h, p, s] = good.split('.')
    const padded = forge(header, claims({ jti: 'ab' }), signAs('RS256', k1))
    for (const token of [`${h}=.${p}.${s}`, `${h}.${p}=.${s}`, `${h}.${p}.${s}=`, `${h}.${p}.${s}==`, `${h}.${p.replace(/.$/, '+')}.${s}`, `${h}.${p}.${s.slice(0, 10)}/${s.slice(11)}`, `${h} .${p}.${s}`, `${h}.${p}.${s}\n`]) {
      rejects(token, 'malformed')
    }
    assert.equal(verifyJwt(padded, base).payload.jti, 'ab')
  })

  it('JWT-11: non-canonical trailing bits are malformed (no second spelling of one token)', () => {
    const [h, p, s] = good.split('.')
    // 256-byte RSA signature → 342 characters, the last carrying 4 unused bits.
    assert.equal(s.length % 4, 2)
    const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_'
    const last = alphabet.indexOf(s.at(-1) as string)
    const variant = `${h}.${p}.${s.slice(0, -1)}${alphabet[last | 0x01]}`
    assert.deepEqual(Buffer.from(variant.split('.')[2], 'base64url'), Buffer.from(s, 'base64url'))
    rejects(variant, 'malformed')
  })

  it('JWT-11: a 1 MiB token is refused before decoding, quickly', () => {
    const huge = `${good}${'A'.repeat(1024 * 1024)}`
    const started = performance.now()
    for (let i = 0; i < 100; i++) rejects(huge, 'token_too_large')
    assert.ok((performance.now() - started) / 100 < 10)
  })

  it('JWT-11: 5 000 nested arrays in the header or the signed payload are malformed, without a stack overflow', () => {
    const nested = `${'['.repeat(5000)}${']'.repeat(5000)}`
    const opts = { ...base, maxTokenBytes: 64 * 1024 }
    const started = performance.now()
    rejects(`${Buffer.from(nested).toString('base64url')}.${good.split('.')[1]}.${good.split('.')[2]}`, 'malformed', opts)
    rejects(forge(header, nested, signAs('RS256', k1)), 'malformed', opts)
    // Deep nesting inside a signed object is just data.
    const deep = forge(header, `${JSON.stringify(claims()).slice(0, -1)},"deep":${nested}}`, signAs('RS256', k1))
    assert.ok(Array.isArray(verifyJwt(deep, opts).payload.deep))
    assert.ok(performance.now() - started < 100)
  })

  it('JWT-11: headers and payloads must be UTF-8 JSON objects', () => {
    for (const payload of ['null', '"text"', '42', '[]', '{"a":1', '\ufeff{"iss":"x"}']) {
      rejects(forge(header, payload, signAs('RS256', k1)), 'malformed')
    }
    const invalidUtf8 = Buffer.from([0x7b, 0x22, 0x61, 0x22, 0x3a, 0x22, 0xff, 0x22, 0x7d]).toString('base64url')
    const input = `${good.split('.')[0]}.${invalidUtf8}`
    rejects(`${input}.${signAs('RS256', k1)(Buffer.from(input)).toString('base64url')}`, 'malformed')
    rejects(forge('null', claims(), signAs('RS256', k1)), 'malformed')
    rejects(`${Buffer.from('not json').toString('base64url')}.${good.split('.')[1]}.${good.split('.')[2]}`, 'malformed')
  })

  it('a token that is not a string is malformed, not a crash', () => {
    rejects(undefined as unknown as string, 'malformed')
    rejects({ length: 3 } as unknown as string, 'malformed')
  })
})

describe('verifyJwt: keys of every supported family', () => {
  for (const alg of ['RS256', 'PS256', 'ES256', 'EdDSA'] as const) {
    it(`${alg}: our signer's token verifies; a signature by another key of the same type does not`, () => {
      const key = loadedKey(alg)
      const other = loadedKey(alg)
      const opts = options({ [key.kid]: key }, { algorithms: [alg] })
      const token = signJwt({ alg, kid: key.kid, typ: 'at+jwt' }, claims(), key)
      assert.equal(verifyJwt(token, opts).payload.sub, 'user-1')
      rejects(forge({ alg, kid: key.kid }, claims(), signAs(alg, other)), 'bad_signature', opts)
    })
  }

  it('ES256 signatures in DER form (not raw r||s) are refused', () => {
    const opts = options({ ec }, { algorithms: ['ES256'] })
    rejects(forge({ alg: 'ES256', kid: 'ec' }, claims(), (input) => ecdsaRawToDer(signAs('ES256', ec)(input))), 'bad_signature', opts)
  })
})
