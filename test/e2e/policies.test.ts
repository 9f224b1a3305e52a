// Every built-in policy through a running gateway and a real upstream: what the client gets back
// and what the upstream receives (or does not).
import { test, after, before, describe } from 'node:test'
import assert from 'node:assert/strict'
import { startGateway, type TestGateway } from '../helpers/gateway.ts'
import { rawExchange, startRawUpstream, startUpstream, statusCodes, type RawUpstream, type TestUpstream } from '../helpers/servers.ts'
import { headerValues, httpRequest, problemCode } from '../helpers/http-client.ts'

const ORIGIN = 'https://app.example'

let echo: TestUpstream
let sink: RawUpstream
let gw: TestGateway

before(async () => {
  // Echoes what it received, and sends the response fields the policies are expected to change,
  // including its own permissive CORS grant.
  echo = await startUpstream((req, res, body) => {
    const payload = JSON.stringify({ method: req.method, url: req.url, headers: req.headers, bodyLength: body.length })
    res.writeHead(200, {
      'content-type': 'application/json',
      'content-length': Buffer.byteLength(payload),
      'access-control-allow-origin': '*',
      'access-control-allow-credentials': 'true',
      'x-powered-by': 'upstream-framework',
      'x-upstream-old': 'renamed-value',
      'cache-control': 'public, max-age=60',
      'set-cookie': 'a=1',
    })
    res.end(payload)
  })
  // Counts every byte it is sent: "nothing forwarded" means zero bytes, not just no parsed request.
  sink = await startRawUpstream((socket) => socket.write('HTTP/1.1 200 OK\r\ncontent-length: 4\r\n\r\nsink'))
  gw = await startGateway(`
upstreams:
  echo: { targets: ['${echo.url}'] }
  sink: { targets: ['${sink.url}'] }
policies:
  headers:
    response:
      set: { X-Global-Policy: applied }
routes:
  - name: size-sink
    paths: [/size-sink]
    upstream: sink
    policies:
      request-size: { maxBytes: 100 }
  - name: size
    paths: [/size]
    upstream: echo
    policies:
      request-size: { maxBytes: 100 }
  - name: cors
    paths: [/cors]
    upstream: echo
    policies:
      cors:
        allowOrigins: ['${ORIGIN}', 'http://localhost:3000']
        allowMethods: [GET, POST, PUT]
        allowHeaders: [Content-Type, X-Request-Id]
        exposeHeaders: [X-Request-Id]
        maxAgeSeconds: 900
  - name: headers
    paths: [/headers]
    upstream: echo
    policies:
      headers:
        request:
          add: { X-Added: added }
          set: { X-Api-Version: "2" }
          remove: [Cookie]
          rename: { X-Client-Ref: X-Legacy-Ref }
        response:
          add: { Set-Cookie: "region=eu; Path=/" }
          set: { Cache-Control: no-store }
          remove: [X-Powered-By]
          rename: { X-Upstream-Old: X-Upstream-New }
  - name: ip-elsewhere
    paths: [/ip-elsewhere]
    upstream: sink
    policies:
      ip-restriction: { allow: [192.0.2.0/24] }
  - name: ip-ten
    paths: [/ip-ten]
    upstream: echo
    policies:
      ip-restriction: { allow: [10.0.0.0/8] }
  - name: plain
    paths: [/plain]
    upstream: echo
`)
})

after(async () => {
  await gw?.stop()
  await echo?.close()
  await sink?.close()
})

interface Echoed {
  method: string
  url: string
  headers: Record<string, string | string[] | undefined>
  bodyLength: number
}

describe('request-size', () => {
  test('LOAD-02: a declared Content-Length over maxBytes → 413 GH_ERR_BODY_TOO_LARGE before the body is sent; nothing reaches the upstream', async () => {
    // Only the head is sent: the gateway must answer without waiting for (or reading) the body.
    const raw = await rawExchange(gw.port, 'POST /size-sink HTTP/1.1\r\nHost: a\r\nContent-Length: 2147483648\r\n\r\n', 300)
    assert.deepEqual(statusCodes(raw), [413])
    assert.match(raw, /\r\nconnection: close\r\n/i)
    assert.match(raw, /"code":"GH_ERR_BODY_TOO_LARGE"/)
    assert.equal(sink.totalBytes(), 0, 'the upstream received bytes')
    assert.equal(sink.connections, 0, 'the gateway opened an upstream connection')
  })

  test('LOAD-02: a chunked body growing past maxBytes → 413 GH_ERR_BODY_TOO_LARGE, then close', async () => {
    const chunk = 'x'.repeat(64)
    const chunks = Array.from({ length: 4 }, () => `40\r\n${chunk}\r\n`).join('')
    // The pipelined GET must not be answered: after a refused body the connection is closed.
    const pipelined = 'GET /size HTTP/1.1\r\nHost: a\r\n\r\n'
    const raw = await rawExchange(gw.port, `POST /size HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n${chunks}0\r\n\r\n${pipelined}`, 300)
    assert.deepEqual(statusCodes(raw), [413])
    assert.match(raw, /\r\nconnection: close\r\n/i)
    assert.match(raw, /"code":"GH_ERR_BODY_TOO_LARGE"/)
  })

  test('a body within maxBytes is forwarded whole', async () => {
    const answer = await httpRequest(`${gw.url}/size`, { method: 'POST', body: 'y'.repeat(100) })
    assert.equal(answer.status, 200)
    assert.equal((JSON.parse(answer.body) as Echoed).bodyLength, 100)
  })
})

describe('cors', () => {
  const preflight = (origin: string, method = 'PUT', headers: Record<string, string> = {}) =>
    httpRequest(`${gw.url}/cors`, { method: 'OPTIONS', headers: { origin, 'access-control-request-method': method, ...headers } })

  test('PATH-13: a preflight from an allowed origin → 204 with the exact allow headers and Vary: Origin, not forwarded', async () => {
    const before = echo.seen.length
    const answer = await preflight(ORIGIN, 'PUT', { 'access-control-request-headers': 'content-type, x-request-id' })
    assert.equal(answer.status, 204)
    assert.deepEqual(headerValues(answer, 'access-control-allow-origin'), [ORIGIN])
    assert.equal(answer.headers['access-control-allow-methods'], 'GET, POST, PUT')
    assert.equal(answer.headers['access-control-allow-headers'], 'Content-Type, X-Request-Id')
    assert.equal(answer.headers['access-control-max-age'], '900')
    assert.equal(answer.headers['access-control-allow-credentials'], undefined)
    assert.match(answer.headers.vary ?? '', /(^|,\s*)Origin(\s*,|$)/i)
    assert.equal(answer.body, '')
    assert.equal(echo.seen.length, before, 'the preflight went upstream')
  })

  test('PATH-13: the second allowed origin is echoed back exactly', async () => {
    const answer = await preflight('http://localhost:3000', 'GET')
    assert.equal(answer.status, 204)
    assert.deepEqual(headerValues(answer, 'access-control-allow-origin'), ['http://localhost:3000'])
  })

  for (const lookalike of ['https://app.example.evil.com', 'https://evil.example', 'null', 'https://app.example:8443', 'http://app.example', 'https://app.example, https://evil.example']) {
    test(`PATH-13: origin ${JSON.stringify(lookalike)} gets no Access-Control-Allow-Origin (preflight refused, request without grant)`, async () => {
      const refused = await preflight(lookalike, 'GET')
      assert.equal(refused.status, 403)
      assert.equal(problemCode(refused), 'GH_ERR_CORS_REJECTED')
      assert.deepEqual(headerValues(refused, 'access-control-allow-origin'), [])
      const actual = await httpRequest(`${gw.url}/cors`, { headers: { origin: lookalike } })
      assert.equal(actual.status, 200)
      // The upstream's own `*` must not leak through either.
      assert.deepEqual(headerValues(actual, 'access-control-allow-origin'), [])
      assert.deepEqual(headerValues(actual, 'access-control-allow-credentials'), [])
    })
  }

  test('PATH-13: a preflight asking for a method that is not allowed → 403 GH_ERR_CORS_REJECTED without CORS headers', async () => {
    const before = echo.seen.length
    const answer = await preflight(ORIGIN, 'DELETE')
    assert.equal(answer.status, 403)
    assert.equal(problemCode(answer), 'GH_ERR_CORS_REJECTED')
    assert.deepEqual(headerValues(answer, 'access-control-allow-origin'), [])
    assert.equal(answer.headers['access-control-allow-methods'], undefined)
    assert.equal(echo.seen.length, before)
  })

  test('a preflight asking for a header that is not allowed → 403 GH_ERR_CORS_REJECTED', async () => {
    const answer = await preflight(ORIGIN, 'GET', { 'access-control-request-headers': 'content-type, authorization' })
    assert.equal(answer.status, 403)
    assert.equal(problemCode(answer), 'GH_ERR_CORS_REJECTED')
    assert.match(answer.body, /authorization/)
  })

  test('ADM-05: an actual request from an allowed origin gets exactly one ACAO, the origin, even though the upstream sends *', async () => {
    const answer = await httpRequest(`${gw.url}/cors`, { headers: { origin: ORIGIN } })
    assert.equal(answer.status, 200)
    assert.deepEqual(headerValues(answer, 'access-control-allow-origin'), [ORIGIN])
    assert.deepEqual(headerValues(answer, 'access-control-allow-credentials'), [], 'the upstream credential grant leaked')
    assert.equal(answer.headers['access-control-expose-headers'], 'X-Request-Id')
    assert.match(answer.headers.vary ?? '', /Origin/i)
    assert.equal((JSON.parse(answer.body) as Echoed).headers.origin, ORIGIN, 'the Origin header reaches the upstream')
  })

  test('a request without Origin gets Vary: Origin and no grant', async () => {
    const answer = await httpRequest(`${gw.url}/cors`)
    assert.equal(answer.status, 200)
    assert.deepEqual(headerValues(answer, 'access-control-allow-origin'), [])
    assert.match(answer.headers.vary ?? '', /Origin/i)
  })

  test('without the policy the upstream CORS headers pass through untouched', async () => {
    const answer = await httpRequest(`${gw.url}/plain`, { headers: { origin: 'https://evil.example' } })
    assert.deepEqual(headerValues(answer, 'access-control-allow-origin'), ['*'])
  })
})

describe('headers', () => {
  test('request add/set/remove/rename are what the upstream sees', async () => {
    const answer = await httpRequest(`${gw.url}/headers`, {
      headers: { 'x-added': 'from-client', 'x-api-version': '1', cookie: 'session=abc', 'x-client-ref': 'ref-42' },
    })
    assert.equal(answer.status, 200)
    const seen = (JSON.parse(answer.body) as Echoed).headers
    assert.equal(seen['x-added'], 'from-client, added', 'add keeps the client value and appends')
    assert.equal(seen['x-api-version'], '2', 'set replaces')
    assert.equal(seen.cookie, undefined, 'remove drops')
    assert.equal(seen['x-client-ref'], undefined, 'rename drops the old name')
    assert.equal(seen['x-legacy-ref'], 'ref-42', 'rename keeps the value')
  })

  test('response add/set/remove/rename are what the client sees', async () => {
    const answer = await httpRequest(`${gw.url}/headers`)
    assert.equal(answer.status, 200)
    assert.deepEqual(headerValues(answer, 'set-cookie'), ['a=1', 'region=eu; Path=/'])
    assert.deepEqual(headerValues(answer, 'cache-control'), ['no-store'])
    assert.deepEqual(headerValues(answer, 'x-powered-by'), [])
    assert.deepEqual(headerValues(answer, 'x-upstream-old'), [])
    assert.deepEqual(headerValues(answer, 'x-upstream-new'), ['renamed-value'])
  })
})

describe('global policies', () => {
  test('a top-level policy applies to every route without its own settings', async () => {
    for (const path of ['/plain', '/cors', '/size']) {
      const answer = await httpRequest(`${gw.url}${path}`)
      assert.equal(answer.status, 200, path)
      assert.deepEqual(headerValues(answer, 'x-global-policy'), ['applied'], path)
    }
  })

  test("a route's own settings for the same policy replace the global ones", async () => {
    const answer = await httpRequest(`${gw.url}/headers`)
    assert.equal(answer.status, 200)
    assert.deepEqual(headerValues(answer, 'x-global-policy'), [])
    assert.deepEqual(headerValues(answer, 'cache-control'), ['no-store'], "the route's own settings apply")
  })
})

describe('ip-restriction', () => {
  test('a client outside the allow list → 403 GH_ERR_IP_FORBIDDEN and nothing is forwarded', async () => {
    const answer = await httpRequest(`${gw.url}/ip-elsewhere`)
    assert.equal(answer.status, 403)
    assert.equal(problemCode(answer), 'GH_ERR_IP_FORBIDDEN')
    assert.equal(sink.totalBytes(), 0)
  })

  test('SMUG-13/RATE-06: a spoofed X-Forwarded-For, X-Real-IP or Forwarded does not pass an allow list without trusted proxies', async () => {
    const before = echo.seen.length
    const answer = await httpRequest(`${gw.url}/ip-ten`, {
      headers: { 'x-forwarded-for': '10.0.0.1', 'x-real-ip': '10.0.0.1', forwarded: 'for=10.0.0.1' },
    })
    assert.equal(answer.status, 403)
    assert.equal(problemCode(answer), 'GH_ERR_IP_FORBIDDEN')
    assert.equal(echo.seen.length, before)
  })
})

describe('ip-restriction behind trusted proxies', () => {
  let behindLocal: TestGateway
  let behindTwo: TestGateway
  const routesTo = (upstreamUrl: string): string => `
upstreams: { echo: { targets: ['${upstreamUrl}'] } }
routes:
  - { name: ten, paths: [/ten], upstream: echo, policies: { ip-restriction: { allow: [10.0.0.0/8] } } }
  - { name: one, paths: [/one], upstream: echo, policies: { ip-restriction: { allow: [1.1.1.1] } } }
`
  before(async () => {
    const body = routesTo(echo.url)
    behindLocal = await startGateway(`forwarding: { trustedProxies: [127.0.0.1/32] }\n${body}`)
    behindTwo = await startGateway(`forwarding: { trustedProxies: [127.0.0.1/32, 10.0.0.0/8] }\n${body}`)
  })
  after(async () => {
    await behindLocal?.stop()
    await behindTwo?.stop()
  })

  test('RATE-06: with 127.0.0.1 trusted, the X-Forwarded-For address it vouches for is the client', async () => {
    const allowed = await httpRequest(`${behindLocal.url}/ten`, { headers: { 'x-forwarded-for': '10.0.0.1' } })
    assert.equal(allowed.status, 200)
    const refused = await httpRequest(`${behindLocal.url}/ten`, { headers: { 'x-forwarded-for': '192.0.2.1' } })
    assert.equal(refused.status, 403)
    assert.equal(problemCode(refused), 'GH_ERR_IP_FORBIDDEN')
  })

  test('RATE-06: XFF "1.1.1.1, 10.0.0.2" with only 127.0.0.1 trusted → the client is 10.0.0.2 (right-most untrusted)', async () => {
    const xff = { 'x-forwarded-for': '1.1.1.1, 10.0.0.2' }
    assert.equal((await httpRequest(`${behindLocal.url}/ten`, { headers: xff })).status, 200)
    assert.equal((await httpRequest(`${behindLocal.url}/one`, { headers: xff })).status, 403)
  })

  test('RATE-06: XFF "1.1.1.1, 10.0.0.2" with 127.0.0.1 and 10.0.0.0/8 trusted → the client is 1.1.1.1', async () => {
    const xff = { 'x-forwarded-for': '1.1.1.1, 10.0.0.2' }
    const allowed = await httpRequest(`${behindTwo.url}/one`, { headers: xff })
    assert.equal(allowed.status, 200)
    const refused = await httpRequest(`${behindTwo.url}/ten`, { headers: xff })
    assert.equal(refused.status, 403)
    assert.equal(problemCode(refused), 'GH_ERR_IP_FORBIDDEN')
  })
})
