// The jwt policy through a running gateway, a real upstream and a real JWKS endpoint. For every
// attack the client gets the right status, code and RFC 6750 challenge, and the upstream receives
// nothing at all. Setup as in reliability-cases.md §3: issuer https://as.example, JWKS with RS256
// key k1, aud orders, typ at+jwt, algorithms [RS256], leeway 30 s.
import { test, after, before, describe } from 'node:test'
import assert from 'node:assert/strict'
import { createHmac, createPrivateKey, sign } from 'node:crypto'
import fs from 'node:fs/promises'
import os from 'node:os'
import path from 'node:path'
import { setTimeout as sleep } from 'node:timers/promises'
import { signJwt } from '../../src/keymanager/tokens/sign-jwt.ts'
import { accessClaims, accessToken, AUDIENCE, ISSUER, jwksOf, nowSeconds, startJwksServer, testKey, type JwksAnswer, type JwksServer } from '../../src/policies/jwt/jwt-policy-test-kit.fixture.ts'
import { startGateway, type TestGateway } from '../helpers/gateway.ts'
import type { GatewayOptions } from '../../src/gateway/server/gateway.ts'
import { headerValues, httpRequest, problemCode, type HttpAnswer } from '../helpers/http-client.ts'
import { rawExchange, startUpstream, statusCodes, type TestUpstream } from '../helpers/servers.ts'
import { makeSelfSignedCert, opensslMissing } from '../helpers/tls-cert.ts'

const k1 = testKey('k1')
const k2 = testKey('k2')
const attacker = testKey('attacker')

let upstream: TestUpstream
let jwks: JwksServer
let gw: TestGateway

function b64(value: unknown): string {
  return Buffer.from(typeof value === 'string' ? value : JSON.stringify(value)).toString('base64url')
}

/** `header.payload.signature`, signed over the exact signing input by `signer` (empty by default). */
function forge(header: unknown, payload: unknown, signer: (input: Buffer) => Buffer = () => Buffer.alloc(0)): string {
  const input = `${b64(header)}.${b64(payload)}`
  return `${input}.${signer(Buffer.from(input, 'latin1')).toString('base64url')}`
}

const rsa = (alg: 'RS256' | 'RS512') => (input: Buffer) => sign(alg === 'RS256' ? 'sha256' : 'sha512', input, k1.privateKey)
const k1Header = (overrides: Record<string, unknown> = {}) => ({ alg: 'RS256', typ: 'at+jwt', kid: k1.kid, ...overrides })

/** One route to the `app` upstream guarded by a jwt policy; `jwt` is the policy's YAML body, unindented. */
function jwtRoute(name: string, paths: string, jwt: string): string {
  const body = jwt.trim().split('\n').map((line) => `        ${line}`).join('\n')
  return `  - name: ${name}\n    paths: [${paths}]\n    upstream: app\n    policies:\n      jwt:\n${body}\n`
}

/** Gateway YAML: the test upstream as `app`, and the given routes. */
function gatewayYaml(...routes: string[]): string {
  return `upstreams: { app: { targets: ['${upstream.url}'] } }\nroutes:\n${routes.join('')}`
}

/** A bearer request for /orders on `gateway`. */
const through = (gateway: TestGateway, token: string) => httpRequest(`${gateway.url}/orders`, { headers: { authorization: `Bearer ${token}` } })

before(async () => {
  upstream = await startUpstream((req, res) => {
    const payload = JSON.stringify({ url: req.url, headers: req.headers })
    res.writeHead(200, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(payload) })
    res.end(payload)
  })
  jwks = await startJwksServer({ status: 200, body: jwksOf(k1) })
  gw = await startGateway(gatewayYaml(
    jwtRoute('orders', '/orders', `
issuers:
  - issuer: ${ISSUER}
    jwksUri: ${jwks.url}
    algorithms: [RS256]
    audience: ${AUDIENCE}
    typ: at+jwt
scopes: { GET: [orders.read], POST: [orders.write] }
identityHeaders: { subject: X-Subject, clientId: X-Client-Id, scopes: X-Scopes }
`),
    jwtRoute('query-tokens', '/query', `
issuers:
  - { issuer: '${ISSUER}', jwksUri: '${jwks.url}', algorithms: [RS256], audience: ${AUDIENCE} }
tokenSources: { allowQueryToken: true }
forwardAuthorization: false
`),
  ))
})

after(async () => {
  await gw?.stop()
  await upstream?.close()
  await jwks?.close()
})

function call(path: string, token?: string, options: { method?: string; headers?: Record<string, string> } = {}): Promise<HttpAnswer> {
  const headers: Record<string, string> = { ...options.headers }
  if (token !== undefined) headers.authorization = `Bearer ${token}`
  return httpRequest(`${gw.url}${path}`, { method: options.method, headers })
}

/** Sends a request and checks the refusal and that the upstream received nothing. */
async function assertRefused(answer: Promise<HttpAnswer>, status: number, code: string, challenge?: RegExp): Promise<HttpAnswer> {
  const before = upstream.seen.length
  const result = await answer
  assert.equal(result.status, status, result.body)
  assert.equal(problemCode(result), code)
  if (challenge !== undefined) assert.match(result.headers['www-authenticate'] ?? '', challenge)
  assert.equal(upstream.seen.length, before, 'nothing reached the upstream')
  return result
}

const INVALID = /^Bearer realm="gatehouse", error="invalid_token", error_description="[^"\\]+"$/
const invalid = (description: string) => new RegExp(`^Bearer realm="gatehouse", error="invalid_token", error_description="${description.replace(/[()]/g, '\\$&')}"$`)

describe('jwt policy: accepted tokens', () => {
  test('a valid token reaches the upstream with identity headers set from the token', async () => {
    const answer = await call('/orders/1', accessToken(k1), { headers: { 'x-subject': 'admin', 'x-client-id': 'spoofed', 'x-scopes': 'admin' } })
    assert.equal(answer.status, 200, answer.body)
    const seen = JSON.parse(answer.body) as { headers: Record<string, string> }
    assert.equal(seen.headers['x-subject'], 'user-1')
    assert.equal(seen.headers['x-client-id'], 'app-1')
    assert.equal(seen.headers['x-scopes'], 'orders.read orders.write')
    assert.match(seen.headers.authorization, /^Bearer /, 'forwardAuthorization defaults to true')
  })

  test('the same token again is served from the cache with the same identity', async () => {
    const token = accessToken(k1, { sub: 'cached-user' })
    for (let i = 0; i < 2; i++) {
      const answer = await call('/orders', token)
      assert.equal(answer.status, 200)
      assert.equal((JSON.parse(answer.body) as { headers: Record<string, string> }).headers['x-subject'], 'cached-user')
    }
  })

  test('JWT-14: the scheme is case-insensitive (bearer, BEARER)', async () => {
    for (const scheme of ['bearer', 'BEARER']) {
      const answer = await httpRequest(`${gw.url}/orders`, { headers: { authorization: `${scheme} ${accessToken(k1)}` } })
      assert.equal(answer.status, 200, scheme)
    }
  })

  test('JWT-07: exp 10 s ago is still accepted within the 30 s leeway', async () => {
    const answer = await call('/orders', accessToken(k1, { exp: nowSeconds() - 10 }))
    assert.equal(answer.status, 200)
  })

  test('JWT-09: aud ["billing","orders"] is accepted', async () => {
    assert.equal((await call('/orders', accessToken(k1, { aud: ['billing', 'orders'] }))).status, 200)
  })
})

describe('jwt policy: missing and malformed credentials', () => {
  test('no token → 401 with a challenge that has no error code', async () => {
    const answer = await assertRefused(call('/orders'), 401, 'GH_ERR_AUTH_TOKEN_MISSING')
    assert.deepEqual(headerValues(answer, 'www-authenticate'), ['Bearer realm="gatehouse"'])
    assert.equal(answer.headers['content-type'], 'application/problem+json')
  })

  test('JWT-14: "Bearer  t" (two spaces) and "Bearer t junk" → 401 invalid_token', async () => {
    const token = accessToken(k1)
    for (const value of [`Bearer  ${token}`, `Bearer ${token} junk`, 'Bearer']) {
      await assertRefused(httpRequest(`${gw.url}/orders`, { headers: { authorization: value } }), 401, 'GH_ERR_AUTH_TOKEN_INVALID', invalid('credentials are not in the form Bearer <token>'))
    }
  })

  test('JWT-14: another scheme (Basic) counts as no bearer token', async () => {
    const answer = await assertRefused(httpRequest(`${gw.url}/orders`, { headers: { authorization: 'Basic dXNlcjpwYXNz' } }), 401, 'GH_ERR_AUTH_TOKEN_MISSING')
    assert.equal(answer.headers['www-authenticate'], 'Bearer realm="gatehouse"')
  })

  test('JWT-14: two Authorization headers → 400 invalid_request', async () => {
    const token = accessToken(k1)
    const raw = await rawExchange(gw.port, `GET /orders HTTP/1.1\r\nHost: a\r\nAuthorization: Bearer ${token}\r\nAuthorization: Bearer ${token}\r\nConnection: close\r\n\r\n`)
    assert.deepEqual(statusCodes(raw), [400])
    assert.match(raw, /GH_ERR_AUTH_BAD_REQUEST/)
    assert.match(raw, /www-authenticate: Bearer realm="gatehouse", error="invalid_request"/i)
  })

  test('JWT-14: token in the header and in ?access_token= at once → 400 invalid_request', async () => {
    const token = accessToken(k1)
    for (const path of [`/orders?access_token=${token}`, `/query?access_token=${token}`]) {
      await assertRefused(call(path, token), 400, 'GH_ERR_AUTH_BAD_REQUEST', /^Bearer realm="gatehouse", error="invalid_request", error_description="[^"]+"$/)
    }
  })

  test('JWT-14: a token only in the query while query tokens are disabled → 401', async () => {
    await assertRefused(call(`/orders?access_token=${accessToken(k1)}`), 401, 'GH_ERR_AUTH_TOKEN_MISSING', /^Bearer realm="gatehouse"$/)
    await assertRefused(call(`/orders?ACCESS%5FTOKEN=${accessToken(k1)}`), 401, 'GH_ERR_AUTH_TOKEN_MISSING')
  })

  test('JWT-11: a 1 MiB Authorization header is refused by the server (431) before any decoding', async () => {
    const huge = 'a'.repeat(1024 * 1024)
    const raw = await rawExchange(gw.port, `GET /orders HTTP/1.1\r\nHost: a\r\nAuthorization: Bearer ${huge}\r\n\r\n`)
    assert.deepEqual(statusCodes(raw), [431])
  })

  test('JWT-11: a token over maxTokenBytes (8 KiB) that fits the header limit → 401', async () => {
    await assertRefused(call('/orders', accessToken(k1, { pad: 'x'.repeat(9000) })), 401, 'GH_ERR_AUTH_TOKEN_INVALID', invalid('token is too large'))
  })

  test('JWT-11: malformed tokens → 401 invalid_token, never 500', async () => {
    const good = accessToken(k1)
    const [h, p, s] = good.split('.')
    // Deeply nested claims, signed by a key the issuer never had: refused without parsing them.
    const deep = (depth: number) => `${JSON.stringify(accessClaims()).slice(0, -1)},"deep":${'['.repeat(depth)}${']'.repeat(depth)}}`
    const nested = forge(k1Header(), deep(2500), (input) => sign('sha256', input, attacker.privateKey))
    const nestedLarge = forge(k1Header(), deep(5000), rsa('RS256'))
    const cases = [
      `${h}.${p}`, // 2 segments
      `${h}.${p}.${s}.${s}`, // 4 segments
      `${h}.${p}.${s}.${s}.${s}`, // JWE-like, 5 segments
      `${h}.${p}=.${s}`, // padding
      `${h}.${p.slice(0, -1)}*.${s}`.replace('*', '~'), // a b64token character that is not base64url
      `${b64('{"alg":"RS256",')}.${p}.${s}`, // header not JSON
      `${h}.${b64('not json')}.${s}`, // payload not JSON, signature no longer matches either
      nested,
      nestedLarge,
    ]
    for (const token of cases) {
      const answer = await assertRefused(call('/orders', token), 401, 'GH_ERR_AUTH_TOKEN_INVALID', INVALID)
      assert.doesNotMatch(answer.body, new RegExp(token.slice(0, 40).replace(/[.*+?^${}()|[\]\\]/g, '\\$&')), 'the token is never echoed')
    }
  })
})

describe('jwt policy: attacks on the token (JWT-01..JWT-11)', () => {
  for (const alg of ['none', 'None', 'NONE', 'nOnE']) {
    test(`JWT-01: alg ${alg} with an empty signature → 401`, async () => {
      await assertRefused(call('/orders', forge(k1Header({ alg }), accessClaims())), 401, 'GH_ERR_AUTH_TOKEN_INVALID', invalid('token algorithm is not allowed'))
    })
  }

  test('JWT-02: HS256 keyed with the RS256 public key (PEM, DER, JWK JSON) → 401', async () => {
    const secrets = [
      k1.publicKey.export({ type: 'spki', format: 'pem' }),
      k1.publicKey.export({ type: 'spki', format: 'der' }),
      JSON.stringify(k1.publicJwk),
    ]
    for (const secret of secrets) {
      const token = forge(k1Header({ alg: 'HS256' }), accessClaims(), (input) => createHmac('sha256', secret).update(input).digest())
      await assertRefused(call('/orders', token), 401, 'GH_ERR_AUTH_TOKEN_INVALID', invalid('token algorithm is not allowed'))
    }
  })

  test('JWT-03: a valid k1 signature with alg RS512 (not allowed), and a missing alg → 401', async () => {
    await assertRefused(call('/orders', forge(k1Header({ alg: 'RS512' }), accessClaims(), rsa('RS512'))), 401, 'GH_ERR_AUTH_TOKEN_INVALID', invalid('token algorithm is not allowed'))
    await assertRefused(call('/orders', forge({ typ: 'at+jwt', kid: k1.kid }, accessClaims(), rsa('RS256'))), 401, 'GH_ERR_AUTH_TOKEN_INVALID', invalid('token algorithm is not allowed'))
  })

  test('JWT-04: kid injection is only ever an exact lookup → 401', async () => {
    for (const kid of ['../../dev/null', "x' OR '1'='1", 'k'.repeat(4096), 'a\u0000b', 1]) {
      await assertRefused(call('/orders', forge(k1Header({ kid }), accessClaims(), rsa('RS256'))), 401, 'GH_ERR_AUTH_TOKEN_INVALID', INVALID)
    }
  })

  test('JWT-06: header-supplied keys (jwk, jku, x5u, x5c) and crit → 401, nothing fetched from the token', async () => {
    const fetchesBefore = jwks.requests
    const attackerSigned = (header: Record<string, unknown>) => forge(header, accessClaims(), (input) => sign('sha256', input, attacker.privateKey))
    const cases = [
      attackerSigned({ alg: 'RS256', typ: 'at+jwt', jwk: attacker.publicJwk }),
      attackerSigned({ alg: 'RS256', typ: 'at+jwt', kid: k1.kid, jku: `${jwks.url}?attacker` }),
      attackerSigned({ alg: 'RS256', typ: 'at+jwt', kid: k1.kid, x5u: `${jwks.url}?x5u` }),
      attackerSigned({ alg: 'RS256', typ: 'at+jwt', kid: k1.kid, x5c: ['MIIB'] }),
      forge(k1Header({ crit: ['urn:x:unknown'], 'urn:x:unknown': true }), accessClaims(), rsa('RS256')),
      forge(k1Header({ crit: [] }), accessClaims(), rsa('RS256')),
      forge(k1Header({ crit: ['exp'] }), accessClaims(), rsa('RS256')),
    ]
    for (const token of cases) await assertRefused(call('/orders', token), 401, 'GH_ERR_AUTH_TOKEN_INVALID', INVALID)
    assert.equal(jwks.requests, fetchesBefore, 'no URL from a token header was fetched')
  })

  test('JWT-07: exp 31 s ago, missing exp, nbf +120 s, iat +3600 s → 401 naming the claim', async () => {
    const now = nowSeconds()
    await assertRefused(call('/orders', accessToken(k1, { exp: now - 31 })), 401, 'GH_ERR_AUTH_TOKEN_INVALID', invalid('token expired (exp)'))
    await assertRefused(call('/orders', accessToken(k1, { exp: undefined })), 401, 'GH_ERR_AUTH_TOKEN_INVALID', invalid('claim exp is missing'))
    await assertRefused(call('/orders', accessToken(k1, { nbf: now + 120 })), 401, 'GH_ERR_AUTH_TOKEN_INVALID', invalid('token is not valid yet (nbf)'))
    await assertRefused(call('/orders', accessToken(k1, { iat: now + 3600 })), 401, 'GH_ERR_AUTH_TOKEN_INVALID', invalid('token is issued in the future (iat)'))
  })

  test('JWT-09: iss with a trailing slash, a foreign iss, aud missing, aud billing → 401', async () => {
    const issuer = invalid('token issuer (iss) is not accepted')
    await assertRefused(call('/orders', accessToken(k1, { iss: `${ISSUER}/` })), 401, 'GH_ERR_AUTH_TOKEN_INVALID', issuer)
    await assertRefused(call('/orders', accessToken(k1, { iss: 'https://evil.example' })), 401, 'GH_ERR_AUTH_TOKEN_INVALID', issuer)
    await assertRefused(call('/orders', accessToken(k1, { aud: undefined })), 401, 'GH_ERR_AUTH_TOKEN_INVALID', invalid('claim aud is missing'))
    await assertRefused(call('/orders', accessToken(k1, { aud: 'billing' })), 401, 'GH_ERR_AUTH_TOKEN_INVALID', invalid('token audience (aud) is not accepted'))
  })

  test('typ other than at+jwt (e.g. an ID token typ JWT) → 401', async () => {
    const token = signJwt({ alg: 'RS256', kid: k1.kid, typ: 'JWT' }, accessClaims(), k1)
    await assertRefused(call('/orders', token), 401, 'GH_ERR_AUTH_TOKEN_INVALID', invalid('token typ is not accepted'))
  })

  test('JWT-11: one bit flipped in the payload, signature stripped, signature of another key → 401', async () => {
    const good = accessToken(k1)
    const [h, p, s] = good.split('.')
    const flipped = Buffer.from(p, 'base64url')
    flipped[10] ^= 0x01
    await assertRefused(call('/orders', `${h}.${flipped.toString('base64url')}.${s}`), 401, 'GH_ERR_AUTH_TOKEN_INVALID', INVALID)
    await assertRefused(call('/orders', `${h}.${p}.`), 401, 'GH_ERR_AUTH_TOKEN_INVALID', INVALID)
    const tamperedSignature = Buffer.from(s, 'base64url')
    tamperedSignature[0] ^= 0x80
    await assertRefused(call('/orders', `${h}.${p}.${tamperedSignature.toString('base64url')}`), 401, 'GH_ERR_AUTH_TOKEN_INVALID', invalid('token signature does not verify'))
    const otherKey = forge(k1Header(), accessClaims(), (input) => sign('sha256', input, attacker.privateKey))
    await assertRefused(call('/orders', otherKey), 401, 'GH_ERR_AUTH_TOKEN_INVALID', invalid('token signature does not verify'))
  })

  test('JWT-11: a tampered copy of a cached token is refused (the cache is keyed by the whole token)', async () => {
    const good = accessToken(k1, { sub: 'cache-tamper' })
    assert.equal((await call('/orders', good)).status, 200)
    const [h, p, s] = good.split('.')
    const claims = JSON.parse(Buffer.from(p, 'base64url').toString()) as Record<string, unknown>
    const escalated = `${h}.${b64({ ...claims, sub: 'admin' })}.${s}`
    await assertRefused(call('/orders', escalated), 401, 'GH_ERR_AUTH_TOKEN_INVALID', invalid('token signature does not verify'))
  })

  test('a claim that would inject a header line (CR/LF in sub) → 401, nothing forwarded', async () => {
    await assertRefused(call('/orders', accessToken(k1, { sub: 'user\r\nX-Admin: yes' })), 401, 'GH_ERR_AUTH_TOKEN_INVALID', invalid('claim sub cannot be forwarded in a header'))
  })
})

describe('jwt policy: scopes per method (JWT-15)', () => {
  test('GET needs orders.read, POST needs orders.write: a read-only token can GET but not POST', async () => {
    const readOnly = accessToken(k1, { scope: 'orders.read' })
    assert.equal((await call('/orders', readOnly)).status, 200)
    const answer = await assertRefused(call('/orders', readOnly, { method: 'POST' }), 403, 'GH_ERR_AUTH_INSUFFICIENT_SCOPE')
    assert.equal(answer.headers['www-authenticate'], 'Bearer realm="gatehouse", error="insufficient_scope", scope="orders.write"')
  })

  test('scope matching is exact: readwrite, prefixes and other case do not hold orders.read', async () => {
    for (const scope of ['orders.readwrite', 'orders.read:all', 'ORDERS.READ', 'orders', '', 'xorders.read']) {
      await assertRefused(call('/orders', accessToken(k1, { scope })), 403, 'GH_ERR_AUTH_INSUFFICIENT_SCOPE', /scope="orders.read"$/)
    }
  })

  test('scp as a list is read when scope is absent', async () => {
    assert.equal((await call('/orders', accessToken(k1, { scope: undefined, scp: ['orders.read'] }))).status, 200)
  })

  test('HEAD falls back to GET; a method the scope map does not list is refused', async () => {
    assert.equal((await call('/orders', accessToken(k1, { scope: 'orders.read' }), { method: 'HEAD' })).status, 200)
    const answer = await assertRefused(call('/orders', accessToken(k1), { method: 'DELETE' }), 403, 'GH_ERR_AUTH_INSUFFICIENT_SCOPE')
    assert.equal(answer.headers['www-authenticate'], 'Bearer realm="gatehouse", error="insufficient_scope"')
  })
})

describe('jwt policy: query tokens and forwarding', () => {
  test('an allowed query token is accepted and removed from the upstream path; Authorization is stripped', async () => {
    const token = accessToken(k1)
    const before = upstream.seen.length
    const answer = await httpRequest(`${gw.url}/query/x?a=1&access_token=${token}&b=2`)
    assert.equal(answer.status, 200, answer.body)
    assert.equal(upstream.seen[before].url, '/query/x?a=1&b=2')
    const viaHeader = await call('/query/y', token)
    assert.equal(viaHeader.status, 200)
    assert.equal(upstream.seen[before + 1].headers.authorization, undefined, 'forwardAuthorization: false')
  })

  test('JWT-14: two access_token parameters → 400 invalid_request', async () => {
    const token = accessToken(k1)
    await assertRefused(httpRequest(`${gw.url}/query?access_token=${token}&access_token=${token}`), 400, 'GH_ERR_AUTH_BAD_REQUEST')
  })
})

describe('jwt policy: JWKS lifecycle (JWT-16)', () => {
  /** A gateway whose only route trusts `jwksUrl`; short refresh and cooldown so tests need not wait long. */
  function gatewayFor(jwksUrl: string, jwks: string, log?: GatewayOptions['log']): Promise<TestGateway> {
    return startGateway(gatewayYaml(jwtRoute('orders', '/orders', `
issuers:
  - { issuer: '${ISSUER}', jwksUri: '${jwksUrl}', algorithms: [RS256], audience: ${AUDIENCE}, typ: at+jwt }
jwks: ${jwks}
`)), { log })
  }

  /**
   * Runs `check` against a fresh JWKS endpoint first answering `answer` and a gateway trusting it
   * with the `jwks` settings given (YAML flow mapping); stops both afterwards, whatever happened.
   */
  async function withJwksGateway(answer: JwksAnswer, jwks: string, check: (server: JwksServer, gateway: TestGateway) => Promise<void>, log?: GatewayOptions['log']): Promise<void> {
    const server = await startJwksServer(answer)
    try {
      const gateway = await gatewayFor(server.url, jwks, log)
      try {
        await check(server, gateway)
      } finally {
        await gateway.stop()
      }
    } finally {
      await server.close()
    }
  }

  async function waitFor(condition: () => boolean, what: string, timeoutMs = 3000): Promise<void> {
    const deadline = Date.now() + timeoutMs
    while (!condition()) {
      if (Date.now() > deadline) assert.fail(`timed out waiting for ${what}`)
      await sleep(20)
    }
  }

  test('JWT-16: an unknown kid causes one refetch, then 401; another unknown kid within the cooldown causes none', async () => {
    await withJwksGateway({ status: 200, body: jwksOf(k1) }, '{ refreshSeconds: 300, refetchCooldownSeconds: 30 }', async (server, gateway) => {
      assert.equal((await through(gateway, accessToken(k1))).status, 200)
      assert.equal(server.requests, 1, 'fetched once at start')
      const before = upstream.seen.length
      const unknown = await through(gateway, forge(k1Header({ kid: 'made-up-1' }), accessClaims(), rsa('RS256')))
      assert.equal(unknown.status, 401)
      assert.match(unknown.headers['www-authenticate'] ?? '', invalid('no key matches the token kid'))
      assert.equal(server.requests, 2, 'one refetch for the unknown kid')
      for (let i = 2; i <= 5; i++) {
        assert.equal((await through(gateway, forge(k1Header({ kid: `made-up-${i}` }), accessClaims(), rsa('RS256')))).status, 401)
      }
      assert.equal(server.requests, 2, 'no refetch within the cooldown')
      assert.equal(upstream.seen.length, before)
    })
  })

  test('JWT-16: k1 removed and k2 added → a k2 token is accepted on first use, then k1 is refused', async () => {
    await withJwksGateway({ status: 200, body: jwksOf(k1) }, '{ refreshSeconds: 300, refetchCooldownSeconds: 30 }', async (server, gateway) => {
      const k1Token = accessToken(k1)
      assert.equal((await through(gateway, k1Token)).status, 200)
      server.answer = { status: 200, body: jwksOf(k2) }
      assert.equal((await through(gateway, accessToken(k2))).status, 200, 'kid miss → refetch → accepted')
      assert.equal(server.requests, 2)
      // The k1 token is in the verified-token cache, but the keys changed: it is checked again.
      const refused = await through(gateway, k1Token)
      assert.equal(refused.status, 401)
      assert.equal(problemCode(refused), 'GH_ERR_AUTH_TOKEN_INVALID')
    })
  })

  test('JWT-16: a key removed from the JWKS stops being accepted once refreshSeconds pass, without a kid miss', async () => {
    await withJwksGateway({ status: 200, body: jwksOf(k1, k2) }, '{ refreshSeconds: 1, refetchCooldownSeconds: 30 }', async (server, gateway) => {
      const k1Token = accessToken(k1)
      assert.equal((await through(gateway, k1Token)).status, 200)
      assert.equal((await through(gateway, accessToken(k2))).status, 200, 'k2 was published ahead: no refetch needed')
      assert.equal(server.requests, 1)
      server.answer = { status: 200, body: jwksOf(k2) }
      await sleep(1100)
      // This request finds the keys due and starts the refresh in the background.
      await through(gateway, k1Token)
      await waitFor(() => server.requests === 2, 'the refresh')
      let status = 0
      for (let i = 0; i < 20 && status !== 401; i++) {
        status = (await through(gateway, k1Token)).status
        if (status !== 401) await sleep(20)
      }
      assert.equal(status, 401)
      // The refused k1 token was a kid miss: it may cause one refetch, and no more within the cooldown.
      assert.equal(server.requests, 3)
      assert.equal((await through(gateway, k1Token)).status, 401)
      assert.equal(server.requests, 3)
    })
  })

  const failures: Array<[string, () => JwksAnswer]> = [
    ['500', () => ({ status: 500, body: '{"error":"boom"}' })],
    ['invalid JSON', () => ({ status: 200, body: '{"keys": [' })],
    ['no keys array', () => ({ status: 200, body: '{"keyz": []}' })],
    ['an empty keys array', () => ({ status: 200, body: '{"keys": []}' })],
    ['a 2 MiB body', () => ({ status: 200, body: Buffer.alloc(2 * 1024 * 1024, 0x20) })],
    ['no answer at all (slow)', () => ({ status: 200, body: '', hang: true })],
    ['a body that stalls after the head', () => ({ status: 200, body: jwksOf(k2), stallAfterHead: true })],
    ['only a key whose alg disagrees with its kty', () => ({ status: 200, body: JSON.stringify({ keys: [{ ...k2.publicJwk, alg: 'ES256' }] }) })],
  ]
  // Each case has its own JWKS endpoint and gateway, so they run side by side.
  describe('JWT-16: a failing JWKS endpoint', { concurrency: true }, () => {
    for (const [name, answer] of failures) {
      test(`JWT-16: the JWKS endpoint answering with ${name} keeps the last good keys working`, async () => {
        await withJwksGateway({ status: 200, body: jwksOf(k1) }, '{ refreshSeconds: 1, refetchCooldownSeconds: 1, fetchTimeoutMs: 1000 }', async (server, gateway) => {
          assert.equal((await through(gateway, accessToken(k1, { jti: 'before' }))).status, 200)
          server.answer = answer()
          await sleep(1100)
          const started = Date.now()
          // Starts the refresh in the background and is answered with the keys at hand.
          assert.equal((await through(gateway, accessToken(k1, { jti: 'during' }))).status, 200)
          assert.ok(Date.now() - started < 500, 'a refresh never holds up a request (the slow cases take 1 s to fail)')
          await waitFor(() => server.requests === 2, 'the failing refresh')
          // Past the fetch timeout, so the slow cases have failed too.
          await sleep(1100)
          assert.equal((await through(gateway, accessToken(k1, { jti: 'after' }))).status, 200, 'k1 still accepted')
        })
      })
    }
  })

  test('JWT-16: a key whose alg disagrees with its kty is dropped, the rest of the set is used', async () => {
    await withJwksGateway({ status: 200, body: JSON.stringify({ keys: [k1.publicJwk, { ...k2.publicJwk, alg: 'ES256' }] }) }, '{ refreshSeconds: 300, refetchCooldownSeconds: 30 }', async (server, gateway) => {
      assert.equal((await through(gateway, accessToken(k1))).status, 200)
      const refused = await through(gateway, accessToken(k2))
      assert.equal(refused.status, 401)
      assert.match(refused.headers['www-authenticate'] ?? '', invalid('no key matches the token kid'))
    })
  })

  test('JWT-16: no keys ever loaded → 503 with Retry-After, nothing forwarded; served once the JWKS recovers; the process log says so once each', async () => {
    const logged: string[] = []
    const log: GatewayOptions['log'] = (level, message) => void logged.push(`${level}: ${message}`)
    await withJwksGateway({ status: 500, body: 'down' }, '{ refreshSeconds: 300, refetchCooldownSeconds: 1, fetchTimeoutMs: 300 }', async (server, gateway) => {
      const before = upstream.seen.length
      const token = accessToken(k1)
      await waitFor(() => server.requests === 1, 'the first fetch')
      await sleep(50)
      const unavailable = await through(gateway, token)
      assert.equal(unavailable.status, 503)
      assert.equal(problemCode(unavailable), 'GH_ERR_AUTH_KEYS_UNAVAILABLE')
      assert.match(unavailable.headers['retry-after'] ?? '', /^[1-9]\d*$/)
      assert.equal(upstream.seen.length, before)
      const unsigned = await through(gateway, forge({ alg: 'none', typ: 'at+jwt' }, accessClaims()))
      assert.ok(unsigned.status === 401 || unsigned.status === 503, 'an unsigned token is never accepted')
      await sleep(1100)
      assert.equal((await through(gateway, token)).status, 503, 'still down after a retry')
      server.answer = { status: 200, body: jwksOf(k1) }
      await sleep(1100)
      assert.equal((await through(gateway, token)).status, 200, 'the request waits for the retried fetch')
      const jwksLines = logged.filter((line) => line.includes('JWKS'))
      assert.deepEqual(jwksLines, ['warn: JWKS fetch failed; tokens of this issuer are refused with 503 until a fetch works', 'warn: JWKS fetch works again'], logged.join('\n'))
      // The same story in the metrics: keys now usable, and the failed fetches counted.
      const exposition = (await gateway.gateway.metrics?.expose())?.body ?? ''
      const sample = (name: string): number => Number(new RegExp(`^${name.replace(/[{}]/g, '\\$&')} (\\d+)$`, 'm').exec(exposition)?.[1] ?? NaN)
      assert.equal(sample(`gatehouse_jwks_keys{jwks_uri="${server.url}"}`), 1)
      assert.ok(sample(`gatehouse_jwks_fetches_total{jwks_uri="${server.url}",result="failure"}`) >= 2, exposition)
      assert.equal(sample(`gatehouse_jwks_fetches_total{jwks_uri="${server.url}",result="success"}`), 1)
    }, log)
  })

  test('the first requests wait for the initial JWKS fetch instead of failing', async () => {
    await withJwksGateway({ status: 200, body: jwksOf(k1), delayMs: 300 }, '{ refreshSeconds: 300, refetchCooldownSeconds: 30 }', async (server, gateway) => {
      const started = Date.now()
      const answers = await Promise.all([through(gateway, accessToken(k1)), through(gateway, accessToken(k1, { jti: 'second' }))])
      assert.deepEqual(answers.map((answer) => answer.status), [200, 200])
      assert.ok(Date.now() - started >= 200, 'the requests waited for the keys')
      assert.equal(server.requests, 1, 'waiting requests share the one fetch')
    })
  })

  test('a reload while the JWKS endpoint is down keeps the last good keys', async () => {
    await withJwksGateway({ status: 200, body: jwksOf(k1) }, '{ refreshSeconds: 300, refetchCooldownSeconds: 30 }', async (server, gateway) => {
      assert.equal((await through(gateway, accessToken(k1))).status, 200)
      server.answer = { status: 500, body: 'down' }
      const reloaded = await gateway.gateway.reload()
      assert.equal(reloaded.ok, true)
      assert.equal((await through(gateway, accessToken(k1, { jti: 'after-reload' }))).status, 200)
      assert.equal(server.requests, 1, 'the reloaded policy shares the loaded key set')
    })
  })
})

const missingOpenssl = opensslMissing()
if (missingOpenssl !== undefined) console.log(`jwt certificate tests skipped: ${missingOpenssl}`)

describe('jwt policy: keys from certificate files, several issuers', { skip: missingOpenssl }, () => {
  const OTHER = 'https://other.example'
  let dir: string
  let gateway: TestGateway
  let server: JwksServer
  let ecToken: (claims?: Record<string, unknown>) => string

  before(async () => {
    dir = await fs.mkdtemp(path.join(os.tmpdir(), 'gatehouse-jwt-certs-'))
    const certificate = await makeSelfSignedCert(dir)
    const privateKey = createPrivateKey(await fs.readFile(certificate.keyFile, 'utf8'))
    ecToken = (claims = {}) => forge({ alg: 'ES256', typ: 'at+jwt', kid: 'ec-1' }, accessClaims({ iss: OTHER, ...claims }), (input) => sign('sha256', input, { key: privateKey, dsaEncoding: 'ieee-p1363' }))
    server = await startJwksServer({ status: 200, body: jwksOf(k1) })
    gateway = await startGateway(gatewayYaml(jwtRoute('orders', '/orders', `
issuers:
  - { issuer: '${ISSUER}', jwksUri: '${server.url}', algorithms: [RS256], audience: ${AUDIENCE} }
  - issuer: ${OTHER}
    certificates: { ec-1: '${certificate.certFile}' }
    algorithms: [ES256]
    audience: [${AUDIENCE}, billing]
identityHeaders: { subject: X-Subject }
`)))
  })

  after(async () => {
    await gateway?.stop()
    await server?.close()
    if (dir !== undefined) await fs.rm(dir, { recursive: true, force: true })
  })

  test('a token signed with the certificate\'s key is accepted; each issuer uses only its own keys', async () => {
    const answer = await through(gateway, ecToken({ sub: 'from-certificate' }))
    assert.equal(answer.status, 200, answer.body)
    assert.equal((JSON.parse(answer.body) as { headers: Record<string, string> }).headers['x-subject'], 'from-certificate')
    assert.equal((await through(gateway, accessToken(k1))).status, 200, 'the JWKS issuer still works')
    // The JWKS issuer's key does not verify for the certificate issuer, and the other way round.
    const crossed = signJwt({ alg: 'RS256', kid: k1.kid, typ: 'at+jwt' }, accessClaims({ iss: OTHER }), k1)
    await assertRefused(through(gateway, crossed), 401, 'GH_ERR_AUTH_TOKEN_INVALID', invalid('token algorithm is not allowed'))
    await assertRefused(through(gateway, ecToken({ iss: ISSUER })), 401, 'GH_ERR_AUTH_TOKEN_INVALID', INVALID)
  })

  test('a token from an issuer nobody configured → 401 naming iss', async () => {
    await assertRefused(through(gateway, ecToken({ iss: 'https://evil.example' })), 401, 'GH_ERR_AUTH_TOKEN_INVALID', invalid('token issuer (iss) is not accepted'))
  })
})
