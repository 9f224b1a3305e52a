import assert from 'node:assert/strict'
import { test } from 'node:test'
import { bodyBytesSent, byteLengthOf } from './body-bytes.ts'

test('bodyBytesSent: the length, except for answers without a body (HEAD, 1xx, 204, 304)', () => {
  assert.equal(bodyBytesSent('GET', 200, 42), 42)
  assert.equal(bodyBytesSent('POST', 401, 253), 253)
  assert.equal(bodyBytesSent(undefined, 500, 7), 7)
  assert.equal(bodyBytesSent('HEAD', 200, 42), 0)
  assert.equal(bodyBytesSent('GET', 204, 42), 0)
  assert.equal(bodyBytesSent('GET', 304, 42), 0)
  assert.equal(bodyBytesSent('GET', 101, 42), 0)
})

test('byteLengthOf: UTF-8 bytes of text, the length of a buffer, 0 for none', () => {
  assert.equal(byteLengthOf('ü'), 2)
  assert.equal(byteLengthOf(Buffer.alloc(5)), 5)
  assert.equal(byteLengthOf(undefined), 0)
})
