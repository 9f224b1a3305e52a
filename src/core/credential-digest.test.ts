import assert from 'node:assert/strict'
import { createHash } from 'node:crypto'
import { describe, it } from 'node:test'
import { credentialDigest } from './credential-digest.ts'

describe('credentialDigest', () => {
  it('is the SHA-256 of the credential, one latin1 character per byte', () => {
    const token = 'eyJhbGciOiJFUzI1NiJ9.eyJzdWIiOiJhIn0.c2ln'
    const digest = credentialDigest(token)
    assert.equal(digest.length, 32)
    assert.deepEqual(Buffer.from(digest, 'latin1'), createHash('sha256').update(token, 'utf8').digest())
  })

  it('has the same length for any credential and tells one character of difference apart', () => {
    const key = 'k'.repeat(4096)
    assert.equal(credentialDigest(key).length, 32)
    assert.notEqual(credentialDigest(key), credentialDigest(`${key.slice(0, -1)}K`))
    assert.equal(credentialDigest('é').length, 32, 'non-ASCII credentials hash their UTF-8 bytes')
  })
})
