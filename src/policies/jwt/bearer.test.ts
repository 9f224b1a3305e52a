import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { GatehouseError } from '../../core/errors/gatehouse-error.ts'
import type { RequestContext } from '../../kit/context.ts'
import { makeTestContext, type TestContextInit } from '../test-context.ts'
import { readUncheckedToken, requireTokenSyntax, withoutQueryToken, type TokenSourceRules } from './bearer.ts'
import { Challenges } from './challenges.ts'

const TOKEN = 'eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJ1In0.c2lnbmF0dXJl'
const challenges = new Challenges('gatehouse', 'Authorization', 'Bearer')
const bearer: TokenSourceRules = { header: 'authorization', scheme: 'bearer', allowQueryToken: false, maxTokenBytes: 8192 }
const withQuery: TokenSourceRules = { ...bearer, allowQueryToken: true }

/** What the policy does with a token it has not verified before: read it, then check its syntax. */
function readToken(ctx: RequestContext, rules: TokenSourceRules, challenges: Challenges): string {
  const token = readUncheckedToken(ctx, rules, challenges)
  requireTokenSyntax(token, challenges)
  return token
}

function read(init: TestContextInit, rules = bearer): string {
  return readToken(makeTestContext(init), rules, challenges)
}

function refused(init: TestContextInit, code: string, challenge: RegExp, rules = bearer): void {
  assert.throws(() => read(init, rules), (error: unknown) => {
    assert.ok(error instanceof GatehouseError)
    assert.equal(error.code, code)
    assert.match(error.headers?.['www-authenticate'] ?? '', challenge)
    assert.ok(!error.detail.includes(TOKEN), 'the token is never in the message')
    return true
  })
}

const MISSING = /^Bearer realm="gatehouse"$/
const MALFORMED = /^Bearer realm="gatehouse", error="invalid_token", error_description="credentials are not in the form Bearer <token>"$/
const INVALID_REQUEST = /^Bearer realm="gatehouse", error="invalid_request", error_description="[^"]+"$/

describe('readToken: the Authorization header (JWT-14)', () => {
  it('reads "Bearer <token>"', () => {
    assert.equal(read({ headers: { authorization: `Bearer ${TOKEN}` } }), TOKEN)
  })

  it('JWT-14: the scheme is case-insensitive', () => {
    for (const scheme of ['bearer', 'BEARER', 'bEaReR']) assert.equal(read({ headers: { authorization: `${scheme} ${TOKEN}` } }), TOKEN)
  })

  it('JWT-14: two spaces, a second word, a tab, or no token at all → 401 invalid_token', () => {
    for (const value of [`Bearer  ${TOKEN}`, `Bearer ${TOKEN} junk`, `Bearer\t${TOKEN}`, 'Bearer', 'Bearer ', `Bearer ${TOKEN},x`]) {
      refused({ headers: { authorization: value } }, 'GH_ERR_AUTH_TOKEN_INVALID', MALFORMED)
    }
  })

  it('no header, or another scheme → 401 without an error code', () => {
    refused({}, 'GH_ERR_AUTH_TOKEN_MISSING', MISSING)
    refused({ headers: { authorization: 'Basic dXNlcjpwYXNz' } }, 'GH_ERR_AUTH_TOKEN_MISSING', MISSING)
    refused({ headers: { authorization: `Bearerx ${TOKEN}` } }, 'GH_ERR_AUTH_TOKEN_MISSING', MISSING)
  })

  it('JWT-14: two Authorization headers → 400 invalid_request, even if both hold the same token', () => {
    // Capitalised because node's header type allows only one string under `authorization`.
    refused({ headers: { Authorization: [`Bearer ${TOKEN}`, `Bearer ${TOKEN}`] } }, 'GH_ERR_AUTH_BAD_REQUEST', INVALID_REQUEST)
  })

  it('JWT-11: a token longer than maxTokenBytes is refused before any decoding', () => {
    refused({ headers: { authorization: `Bearer ${'a'.repeat(8193)}` } }, 'GH_ERR_AUTH_TOKEN_INVALID', /error_description="token is too large"/)
  })

  it('a custom header with no scheme holds the bare token', () => {
    const rules = { ...bearer, header: 'x-access-token', scheme: '' }
    assert.equal(read({ headers: { 'x-access-token': TOKEN } }, rules), TOKEN)
    refused({ headers: { authorization: `Bearer ${TOKEN}` } }, 'GH_ERR_AUTH_TOKEN_MISSING', MISSING, rules)
  })
})

describe('readToken: the access_token query parameter (JWT-14)', () => {
  it('JWT-14: a query token while query tokens are disabled → 401, also when the name is encoded or in capitals', () => {
    for (const query of [`access_token=${TOKEN}`, `a=1&access%5Ftoken=${TOKEN}`, `ACCESS_TOKEN=${TOKEN}`]) {
      refused({ query }, 'GH_ERR_AUTH_TOKEN_MISSING', MISSING)
    }
  })

  it('JWT-14: header and query token at once → 400 invalid_request, whether query tokens are allowed or not', () => {
    for (const rules of [bearer, withQuery]) {
      refused({ headers: { authorization: `Bearer ${TOKEN}` }, query: `access_token=${TOKEN}` }, 'GH_ERR_AUTH_BAD_REQUEST', INVALID_REQUEST, rules)
    }
  })

  it('an allowed query token is read and removed from the upstream path, other parameters kept', () => {
    const ctx = makeTestContext({ path: '/orders', query: `a=1&access_token=${TOKEN}&b=2` })
    assert.equal(readToken(ctx, withQuery, challenges), TOKEN)
    assert.equal(ctx.upstream.path, '/orders?a=1&b=2')
    const only = makeTestContext({ path: '/orders', query: `access_token=${TOKEN}` })
    readToken(only, withQuery, challenges)
    assert.equal(only.upstream.path, '/orders')
  })

  it('two access_token parameters → 400; an empty or malformed one → 401', () => {
    refused({ query: `access_token=${TOKEN}&access%5Ftoken=${TOKEN}` }, 'GH_ERR_AUTH_BAD_REQUEST', INVALID_REQUEST, withQuery)
    for (const query of ['access_token=', 'access_token', 'access_token=a%ZZ', 'access_token=a+b']) refused({ query }, 'GH_ERR_AUTH_TOKEN_INVALID', MALFORMED, withQuery)
  })

  it('withoutQueryToken leaves paths without the parameter alone', () => {
    assert.equal(withoutQueryToken('/a'), '/a')
    assert.equal(withoutQueryToken('/a?x=1&token=2'), '/a?x=1&token=2')
    assert.equal(withoutQueryToken('/a?Access_Token=1&x=2'), '/a?x=2')
  })
})
