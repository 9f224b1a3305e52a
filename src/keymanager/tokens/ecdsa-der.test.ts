import assert from 'node:assert/strict'
import { generateKeyPairSync, sign, verify } from 'node:crypto'
import { describe, it } from 'node:test'
import { GatehouseError } from '../../core/errors/gatehouse-error.ts'
import { derToRawEcdsa } from './ecdsa-der.ts'

const internal = (error: unknown): boolean => error instanceof GatehouseError && error.code === 'GH_ERR_INTERNAL'

describe('derToRawEcdsa', () => {
  it('agrees with node:crypto\'s own IEEE P1363 form, including r or s with leading zero bytes', () => {
    const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' })
    let short = 0
    let padded = 0
    // About one signature in 128 has a value a byte shorter than the curve, and most have one with a
    // DER sign byte: sign until both kinds were met (a few hundred signatures, rarely more).
    for (let i = 0; i < 200 || ((short === 0 || padded === 0) && i < 20_000); i++) {
      const data = Buffer.from(`signing input ${i}`)
      const der = sign('sha256', data, privateKey)
      const raw = derToRawEcdsa(der, 32)
      assert.equal(raw.length, 64)
      assert.ok(verify('sha256', data, { key: publicKey, dsaEncoding: 'ieee-p1363' }, raw), `signature ${i}`)
      const rLength = der[3]
      const sLength = der[5 + rLength]
      if (rLength < 32 || sLength < 32) short++
      if (rLength === 33 || sLength === 33) padded++
    }
    assert.ok(padded > 0, 'a value with a DER sign byte was converted')
    assert.ok(short > 0, 'a value shorter than the curve size was converted')
  })

  it('places short integers right-aligned', () => {
    // SEQUENCE { INTEGER 0x01, INTEGER 0x00 0x80 }: r = 1, s = 128 (with its sign byte).
    const der = Buffer.from([0x30, 0x07, 0x02, 0x01, 0x01, 0x02, 0x02, 0x00, 0x80])
    const raw = derToRawEcdsa(der, 4)
    assert.deepEqual([...raw], [0, 0, 0, 1, 0, 0, 0, 0x80])
  })

  it('refuses what is not a DER ECDSA signature of the curve size', () => {
    assert.throws(() => derToRawEcdsa(Buffer.from([0x31, 0x00]), 32), internal)
    assert.throws(() => derToRawEcdsa(Buffer.from([0x30, 0x06, 0x02, 0x01, 0x01, 0x02, 0x01]), 32), internal)
    assert.throws(() => derToRawEcdsa(Buffer.from([0x30, 0x06, 0x02, 0x01, 0x01, 0x02, 0x01, 0x01, 0x00]), 32), internal)
    assert.throws(() => derToRawEcdsa(Buffer.from([0x30, 0x07, 0x02, 0x02, 0x01, 0x01, 0x02, 0x01, 0x01]), 1), internal)
    assert.throws(() => derToRawEcdsa(Buffer.from([0x30, 0x06, 0x04, 0x01, 0x01, 0x02, 0x01, 0x01]), 32), internal)
  })
})
