import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { redactQuery } from './redact-query.ts'

describe('redactQuery', () => {
  it('JWT-14: redacts access_token and the other credential parameters, keeping the rest', () => {
    assert.equal(redactQuery('/v1/data?access_token=eyJhbGciOi.x.y&page=2'), '/v1/data?access_token=***&page=2')
    assert.equal(
      redactQuery('/a?api_key=1&apikey=2&key=3&token=4&client_secret=5&password=6&keep=7'),
      '/a?api_key=***&apikey=***&key=***&token=***&client_secret=***&password=***&keep=7',
    )
  })

  it('OAUTH-01: redacts the key manager\'s credential parameters, which it refuses in a URL', () => {
    assert.equal(
      redactQuery('/oauth2/token?grant_type=refresh_token&refresh_token=r1&client_assertion=a1&assertion=a2&code_verifier=v1&scope=read'),
      '/oauth2/token?grant_type=refresh_token&refresh_token=***&client_assertion=***&assertion=***&code_verifier=***&scope=read',
    )
  })

  it('JWT-14: matches names case-insensitively and after percent-decoding, as the policies read them', () => {
    assert.equal(redactQuery('/a?Access_Token=abc'), '/a?Access_Token=***')
    assert.equal(redactQuery('/a?access%5Ftoken=abc&x=1'), '/a?access%5Ftoken=***&x=1')
    assert.equal(redactQuery('/a?%61pi_key=abc'), '/a?%61pi_key=***')
  })

  it('JWT-14: redacts every occurrence of a repeated parameter', () => {
    assert.equal(redactQuery('/a?token=1&token=2'), '/a?token=***&token=***')
  })

  it('leaves paths without sensitive parameters untouched (same string)', () => {
    const path = '/keys/token?page=2&sort=name'
    assert.equal(redactQuery(path), path)
    assert.equal(redactQuery('/no-query'), '/no-query')
    assert.equal(redactQuery('/a?tokenizer=1&monkey=2'), '/a?tokenizer=1&monkey=2')
  })

  it('keeps malformed escapes and value-less parameters as they are', () => {
    assert.equal(redactQuery('/a?%E0%A4%A=1&token'), '/a?%E0%A4%A=1&token')
    assert.equal(redactQuery('/a?token=&x=%zz'), '/a?token=***&x=%zz')
  })
})
