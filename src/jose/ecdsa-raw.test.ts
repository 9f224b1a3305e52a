import assert from 'node:assert/strict'
import { generateKeyPairSync, sign, verify } from 'node:crypto'
import { describe, it } from 'node:test'
import { ECDSA_HALF_BYTES, rawEcdsaToDer } from './ecdsa-raw.ts'

const CURVES = { ES256: ['P-256', 'sha256'], ES384: ['P-384', 'sha384'], ES512: ['P-521', 'sha512'] } as const

describe('rawEcdsaToDer', () => {
  for (const [alg, [curve, hash]] of Object.entries(CURVES)) {
    it(`${alg}: raw signatures become DER that verifies with the bare key, whatever their leading bytes`, () => {
      const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: curve })
      const size = ECDSA_HALF_BYTES[alg]
      // Enough signatures that some halves start with a set top bit and some with a zero byte.
      for (let i = 0; i < 64; i++) {
        const data = Buffer.from(`message ${i}`)
        const raw = sign(hash, data, { key: privateKey, dsaEncoding: 'ieee-p1363' })
        assert.equal(raw.length, 2 * size)
        const der = rawEcdsaToDer(raw, size)
        assert.ok(der !== undefined)
        assert.equal(verify(hash, data, publicKey, der), true, `signature ${i}`)
        assert.equal(verify(hash, Buffer.from(`other ${i}`), publicKey, der), false)
      }
    })
  }

  it('encodes minimal integers: leading zeros dropped, a zero byte before a set top bit', () => {
    const raw = Buffer.concat([Buffer.alloc(31), Buffer.from([0x05]), Buffer.from([0x80]), Buffer.alloc(31, 0x01)])
    assert.deepEqual(rawEcdsaToDer(raw, 32), Buffer.concat([Buffer.from([0x30, 3 + 35, 0x02, 0x01, 0x05, 0x02, 0x21, 0x00, 0x80]), Buffer.alloc(31, 0x01)]))
    assert.deepEqual(rawEcdsaToDer(Buffer.alloc(64), 32), Buffer.from([0x30, 0x06, 0x02, 0x01, 0x00, 0x02, 0x01, 0x00]), 'r = s = 0 stays encodable and simply fails to verify')
  })

  it('refuses a raw signature of the wrong length instead of guessing', () => {
    assert.equal(rawEcdsaToDer(Buffer.alloc(63), 32), undefined)
    assert.equal(rawEcdsaToDer(Buffer.alloc(65), 32), undefined)
    assert.equal(rawEcdsaToDer(Buffer.alloc(0), 32), undefined)
  })

  it('a zero signature verifies as false, it does not throw', () => {
    const { publicKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' })
    const der = rawEcdsaToDer(Buffer.alloc(64), 32) as Buffer
    let verdict: boolean | 'threw'
    try {
      verdict = verify('sha256', Buffer.from('x'), publicKey, der)
    } catch {
      verdict = 'threw'
    }
    // signatureHolds treats a throw as false too; either way nothing passes.
    assert.notEqual(verdict, true)
  })
})
