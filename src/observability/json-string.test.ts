import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { jsonMillis, jsonNumber, jsonString } from './json-string.ts'

describe('jsonString', () => {
  it('quotes plain strings as they are', () => {
    assert.equal(jsonString('/v1/data?page=2'), '"/v1/data?page=2"')
  })

  it('escapes quotes, backslashes and control characters so the line stays one valid JSON object', () => {
    const hostile = 'a"b\\c\nd\r\u0000e\u001b[31m'
    const encoded = jsonString(hostile)
    assert.equal(JSON.parse(encoded), hostile)
    assert.doesNotMatch(encoded, /[\u0000-\u001f]/)
  })

  it('writes non-ASCII and lone surrogates as \\u escapes, so the output is pure ASCII', () => {
    for (const value of ['/caf\u00e9', '/\u{1f600}', '/\ud800x', '/\u2028', '\u007f']) {
      const encoded = jsonString(value)
      assert.match(encoded, /^[\u0020-\u007e]*$/, `${JSON.stringify(value)} → ${encoded}`)
      assert.equal(JSON.parse(encoded), value)
    }
  })
})

describe('jsonNumber and jsonMillis', () => {
  it('writes null for values JSON cannot carry', () => {
    assert.equal(jsonNumber(Number.NaN), 'null')
    assert.equal(jsonMillis(Number.POSITIVE_INFINITY), 'null')
    assert.equal(jsonNumber(200), '200')
  })

  it('rounds milliseconds to microseconds with valid JSON numbers', () => {
    assert.equal(jsonMillis(0.4123456), '0.412')
    assert.equal(jsonMillis(12), '12.000')
    assert.equal(jsonMillis(1.0005), '1.001')
    assert.equal(jsonMillis(3.05), '3.050')
    assert.equal(jsonMillis(0.0004), '0.000')
    assert.equal(JSON.parse(jsonMillis(-2.5)), -2.5)
    assert.equal(JSON.parse(jsonMillis(5e9)), 5e9)
  })
})
