import assert from 'node:assert/strict'
import { generateKeyPairSync, sign, verify } from 'node:crypto'
import { describe, it } from 'node:test'
import { GatehouseError } from '../core/errors/gatehouse-error.ts'
import { derToRawEcdsa, ECDSA_HALF_BYTES, rawEcdsaToDer } from './ecdsa-signature.ts'

const CURVES = { ES256: ['P-256', 'sha256'], ES384: ['P-384', 'sha384'], ES512: ['P-521', 'sha512'] } as const

/** The error derToRawEcdsa throws for DER it cannot read, with the detail that names the problem. */
const internal = (detail: string) => (error: unknown): boolean =>
  error instanceof GatehouseError && error.code === 'GH_ERR_INTERNAL' && error.message.endsWith(`: ${detail}`)

const bytes = (...values: number[]): Buffer => Buffer.from(values)

describe('ECDSA signatures between node:crypto (DER) and JWS (r‖s)', () => {
  for (const [alg, [curve, hash]] of Object.entries(CURVES)) {
    it(`${alg}: signatures made by node:crypto survive both round trips and verify either way`, () => {
      const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: curve })
      const size = ECDSA_HALF_BYTES[alg]
      // A half with a leading zero byte comes about once in 128 signatures (P-521: every other one,
      // its order being 521 bits); a half with a set top bit, which DER must pad, in most of them
      // (never for P-521). Sign until every possible kind was met.
      let leadingZero = 0
      let highBit = 0
      let longForm = 0
      const wantHighBit = alg !== 'ES512'
      for (let i = 0; i < 64 || ((leadingZero === 0 || (wantHighBit && highBit === 0)) && i < 20_000); i++) {
        const data = Buffer.from(`message ${i}`)
        const other = Buffer.from(`other ${i}`)

        // DER from node:crypto → raw → the same DER.
        const der = sign(hash, data, privateKey)
        const raw = derToRawEcdsa(der, size)
        assert.equal(raw.length, 2 * size)
        assert.equal(verify(hash, data, { key: publicKey, dsaEncoding: 'ieee-p1363' }, raw), true, `raw of DER signature ${i}`)
        assert.deepEqual(rawEcdsaToDer(raw, size), der, `DER signature ${i} comes back byte for byte`)

        // Raw from node:crypto → DER that verifies with the bare key → the same raw.
        const p1363 = sign(hash, data, { key: privateKey, dsaEncoding: 'ieee-p1363' })
        assert.equal(p1363.length, 2 * size)
        const converted = rawEcdsaToDer(p1363, size)
        assert.ok(converted !== undefined)
        assert.equal(verify(hash, data, publicKey, converted), true, `DER of raw signature ${i}`)
        assert.equal(verify(hash, other, publicKey, converted), false)
        assert.deepEqual(derToRawEcdsa(converted, size), p1363, `raw signature ${i} comes back byte for byte`)

        for (const signature of [raw, p1363]) {
          if (signature[0] === 0 || signature[size] === 0) leadingZero++
          if (signature[0] >= 0x80 || signature[size] >= 0x80) highBit++
        }
        if (der[1] === 0x81) longForm++
      }
      assert.ok(leadingZero > 0, 'a half with a leading zero byte was converted')
      if (wantHighBit) assert.ok(highBit > 0, 'a half with a set top bit was converted')
      else assert.equal(highBit, 0, 'P-521 halves never have their top bit set')
      if (alg === 'ES512') assert.ok(longForm > 0, 'a P-521 sequence with a long-form length was converted')
      else assert.equal(longForm, 0)
    })
  }

  it('raw → DER encodes minimal integers: leading zeros dropped, a zero byte before a set top bit', () => {
    const raw = Buffer.concat([Buffer.alloc(31), bytes(0x05), bytes(0x80), Buffer.alloc(31, 0x01)])
    const der = Buffer.concat([bytes(0x30, 3 + 35, 0x02, 0x01, 0x05, 0x02, 0x21, 0x00, 0x80), Buffer.alloc(31, 0x01)])
    assert.deepEqual(rawEcdsaToDer(raw, 32), der)
    assert.deepEqual(derToRawEcdsa(der, 32), raw)
    assert.deepEqual(rawEcdsaToDer(Buffer.alloc(64), 32), bytes(0x30, 0x06, 0x02, 0x01, 0x00, 0x02, 0x01, 0x00), 'r = s = 0 stays encodable and simply fails to verify')
  })

  it('leading zeros and set top bits on either half, in both directions', () => {
    const cases: Array<[string, Buffer, Buffer, Buffer]> = [
      // [what, r, s, expected DER]
      ['r with a set top bit, s with leading zeros', bytes(0xff, 0x01, 0x02, 0x03), bytes(0x00, 0x00, 0x7f, 0x01),
        bytes(0x30, 0x0b, 0x02, 0x05, 0x00, 0xff, 0x01, 0x02, 0x03, 0x02, 0x02, 0x7f, 0x01)],
      ['r with a leading zero before a set top bit (dropped, then put back as the sign byte), s full width', bytes(0x00, 0x80, 0x00, 0x00), bytes(0x12, 0x34, 0x56, 0x78),
        bytes(0x30, 0x0c, 0x02, 0x04, 0x00, 0x80, 0x00, 0x00, 0x02, 0x04, 0x12, 0x34, 0x56, 0x78)],
      ['both with a set top bit', bytes(0x80, 0, 0, 0), bytes(0xff, 0xff, 0xff, 0xff),
        bytes(0x30, 0x0e, 0x02, 0x05, 0x00, 0x80, 0, 0, 0, 0x02, 0x05, 0x00, 0xff, 0xff, 0xff, 0xff)],
      ['both one byte, top bit clear', bytes(0, 0, 0, 0x7f), bytes(0, 0, 0, 0x01),
        bytes(0x30, 0x06, 0x02, 0x01, 0x7f, 0x02, 0x01, 0x01)],
      ['both one byte, top bit set', bytes(0, 0, 0, 0x80), bytes(0, 0, 0, 0xfe),
        bytes(0x30, 0x08, 0x02, 0x02, 0x00, 0x80, 0x02, 0x02, 0x00, 0xfe)],
    ]
    for (const [what, r, s, der] of cases) {
      const raw = Buffer.concat([r, s])
      assert.deepEqual(rawEcdsaToDer(raw, 4), der, `raw → DER: ${what}`)
      assert.deepEqual(derToRawEcdsa(der, 4), raw, `DER → raw: ${what}`)
    }
  })

  it('DER → raw places short integers right-aligned and drops the sign byte', () => {
    // SEQUENCE { INTEGER 0x01, INTEGER 0x00 0x80 }: r = 1, s = 128 (with its sign byte).
    const raw = derToRawEcdsa(bytes(0x30, 0x07, 0x02, 0x01, 0x01, 0x02, 0x02, 0x00, 0x80), 4)
    assert.deepEqual([...raw], [0, 0, 0, 1, 0, 0, 0, 0x80])
  })

  it('P-521 sizes: the sequence length takes the long form only when it needs to', () => {
    const large = Buffer.alloc(132, 0xff)
    const largeDer = rawEcdsaToDer(large, 66) as Buffer
    // Each INTEGER is 02 43 00 ff…ff (69 bytes), so the body is 138 bytes: 30 81 8a.
    assert.deepEqual(largeDer.subarray(0, 3), bytes(0x30, 0x81, 138))
    assert.equal(largeDer.length, 3 + 138)
    assert.deepEqual(derToRawEcdsa(largeDer, 66), large)

    const small = Buffer.alloc(132)
    small[65] = 1
    small[131] = 1
    const smallDer = rawEcdsaToDer(small, 66) as Buffer
    assert.deepEqual(smallDer, bytes(0x30, 0x06, 0x02, 0x01, 0x01, 0x02, 0x01, 0x01))
    assert.deepEqual(derToRawEcdsa(smallDer, 66), small)
  })

  it('raw → DER refuses a raw signature of the wrong length instead of guessing', () => {
    assert.equal(rawEcdsaToDer(Buffer.alloc(63), 32), undefined)
    assert.equal(rawEcdsaToDer(Buffer.alloc(65), 32), undefined)
    assert.equal(rawEcdsaToDer(Buffer.alloc(0), 32), undefined)
    assert.equal(rawEcdsaToDer(Buffer.alloc(64, 0x01), ECDSA_HALF_BYTES.ES384), undefined, 'an ES256-sized signature for ES384')
    assert.equal(rawEcdsaToDer(Buffer.alloc(132, 0x01), ECDSA_HALF_BYTES.ES384), undefined, 'an ES512-sized signature for ES384')
  })

  it('raw → DER: a zero signature verifies as false, it does not throw', () => {
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

  it('DER → raw refuses what is not a DER ECDSA signature of the curve size, naming the problem', () => {
    const cases: Array<[string, Buffer, number, string]> = [
      ['not a SEQUENCE', bytes(0x31, 0x00), 32, 'expected a SEQUENCE'],
      ['empty', bytes(), 32, 'expected a SEQUENCE'],
      ['no length', bytes(0x30), 32, 'truncated length'],
      ['long form without its length byte', bytes(0x30, 0x81), 32, 'unsupported length form'],
      ['two-byte long form', bytes(0x30, 0x82, 0x00, 0x06, 0x02, 0x01, 0x01, 0x02, 0x01, 0x01), 32, 'unsupported length form'],
      ['sequence longer than the bytes', bytes(0x30, 0x06, 0x02, 0x01, 0x01, 0x02, 0x01), 32, 'sequence length does not match'],
      ['bytes after the sequence', bytes(0x30, 0x06, 0x02, 0x01, 0x01, 0x02, 0x01, 0x01, 0x00), 32, 'sequence length does not match'],
      ['r is not an INTEGER', bytes(0x30, 0x06, 0x04, 0x01, 0x01, 0x02, 0x01, 0x01), 32, 'expected an INTEGER'],
      ['s is missing', bytes(0x30, 0x03, 0x02, 0x01, 0x01), 32, 'expected an INTEGER'],
      ['r longer than the curve size', bytes(0x30, 0x07, 0x02, 0x02, 0x01, 0x01, 0x02, 0x01, 0x01), 1, 'integer longer than the curve size'],
      ['s running past the end', bytes(0x30, 0x06, 0x02, 0x01, 0x01, 0x02, 0x05, 0x01), 32, 'integer longer than the curve size'],
      ['a byte after s inside the sequence', bytes(0x30, 0x07, 0x02, 0x01, 0x01, 0x02, 0x01, 0x01, 0x00), 32, 'trailing bytes'],
    ]
    for (const [what, der, size, detail] of cases) {
      assert.throws(() => derToRawEcdsa(der, size), internal(detail), what)
    }
    // A whole P-256 signature is too long for P-256's halves read as a smaller curve.
    const { privateKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' })
    assert.throws(() => derToRawEcdsa(sign('sha256', Buffer.from('x'), privateKey), 16), internal('integer longer than the curve size'))
  })
})
