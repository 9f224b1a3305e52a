import assert from 'node:assert/strict'
import { randomBytes } from 'node:crypto'
import { describe, it } from 'node:test'
import { decodeBase64url, encodeBase64url, isStrictBase64url } from './base64url.ts'

describe('strict base64url', () => {
  it('round-trips every length of random bytes', () => {
    for (let length = 0; length < 70; length++) {
      const bytes = randomBytes(length)
      const text = encodeBase64url(bytes)
      assert.ok(isStrictBase64url(text), text)
      assert.deepEqual(decodeBase64url(text), bytes)
    }
  })

  it('refuses padding, whitespace, the base64 alphabet\'s + and /, and impossible lengths', () => {
    for (const text of ['QQ==', 'QQ=', 'Q Q', 'QQ\n', 'a+b_', 'a/b_', 'Q', 'QUJDR', '\u00e9QQ']) {
      assert.equal(isStrictBase64url(text), false, JSON.stringify(text))
      assert.equal(decodeBase64url(text), null)
    }
  })

  it('refuses non-zero unused bits in the last character, so each byte string has one spelling', () => {
    assert.equal(encodeBase64url(Buffer.from('A')), 'QQ')
    assert.equal(isStrictBase64url('QR'), false) // decodes to "A" as well
    assert.equal(encodeBase64url(Buffer.from('AB')), 'QUI')
    assert.equal(isStrictBase64url('QUJ'), false)
    assert.equal(isStrictBase64url(''), true)
  })
})
