// The admin listener of a gateway started through the CLI with `admin.token` set.
import { test, after, before, describe } from 'node:test'
import assert from 'node:assert/strict'
import { startCliGateway, type CliGateway } from '../helpers/cli.ts'
import { headerValues, httpRequest, problemCode, type HttpAnswer } from '../helpers/http-client.ts'
import { startUpstream, type TestUpstream } from '../helpers/servers.ts'

const TOKEN = 'e2e-admin-token-7f3a9c1d5b'
const API_KEY = 'sk_live_e2e_4c0ffee9d8b7'

let upstream: TestUpstream
let gw: CliGateway

before(async () => {
  upstream = await startUpstream()
  gw = await startCliGateway(`
upstreams: { app: { targets: ['${upstream.url}'] } }
routes:
  - name: app
    paths: [/]
    upstream: app
    policies:
      headers:
        request:
          set: { X-Api-Key: '${API_KEY}' }
`, { admin: `token: ${TOKEN}` })
  // One proxied request, so /metrics has route samples to show.
  assert.equal((await httpRequest(`http://127.0.0.1:${gw.port}/warm-up`)).status, 200)
})

after(async () => {
  await gw?.cleanup()
  await upstream?.close()
})

const admin = (path: string, options: Parameters<typeof httpRequest>[1] = {}): Promise<HttpAnswer> => httpRequest(`http://127.0.0.1:${gw.adminPort}${path}`, options)
const withToken = { authorization: `Bearer ${TOKEN}` }

describe('ADM-02: admin authentication', () => {
  const protectedCalls: Array<[string, string]> = [
    ['GET', '/metrics'],
    ['HEAD', '/metrics'],
    ['POST', '/reload'],
    ['GET', '/reload'],
    ['GET', '/config'],
    ['DELETE', '/config'],
    ['PUT', '/routes'],
    ['GET', '/'],
    ['GET', '/does-not-exist'],
    ['GET', '/config?format=yaml'],
    ['GET', '//config'],
  ]

  test('every admin path and method without the token → 401 with a Bearer challenge', async () => {
    for (const [method, path] of protectedCalls) {
      const answer = await admin(path, { method })
      assert.equal(answer.status, 401, `${method} ${path}`)
      assert.match(answer.headers['www-authenticate'] ?? '', /^Bearer /, `${method} ${path}`)
      if (method !== 'HEAD') assert.equal(problemCode(answer), 'GH_ERR_ADMIN_UNAUTHORIZED', `${method} ${path}`)
    }
  })

  test('a wrong, truncated, padded or differently-schemed token → 401', async () => {
    const wrong = [`Bearer ${TOKEN.slice(0, -1)}`, `Bearer ${TOKEN}x`, `Bearer  ${TOKEN}`, `Basic ${Buffer.from(`admin:${TOKEN}`).toString('base64')}`, TOKEN, 'Bearer ']
    for (const authorization of wrong) {
      const answer = await admin('/metrics', { headers: { authorization } })
      assert.equal(answer.status, 401, authorization)
    }
  })

  test('/health and /ready answer without the token', async () => {
    const health = await admin('/health')
    assert.equal(health.status, 200)
    assert.equal((JSON.parse(health.body) as { status: string }).status, 'ok')
    const ready = await admin('/ready')
    assert.equal(ready.status, 200)
    assert.equal((JSON.parse(ready.body) as { status: string }).status, 'ready')
  })

  test('with the token /metrics serves Prometheus text including the proxied request', async () => {
    const answer = await admin('/metrics', { headers: withToken })
    assert.equal(answer.status, 200)
    assert.match(answer.headers['content-type'] ?? '', /^text\/plain/)
    assert.match(answer.body, /^gatehouse_requests_total\{[^}]*route="app"[^}]*\} [1-9]/m)
  })

  test('the scheme name is case-insensitive', async () => {
    const answer = await admin('/metrics', { headers: { authorization: `bearer ${TOKEN}` } })
    assert.equal(answer.status, 200)
  })

  test('with the token an unknown path is 404 and a wrong method 405', async () => {
    assert.equal((await admin('/does-not-exist', { headers: withToken })).status, 404)
    const wrongMethod = await admin('/reload', { headers: withToken })
    assert.equal(wrongMethod.status, 405)
    assert.equal(wrongMethod.headers.allow, 'POST')
  })

  test('with the token POST /reload reloads', async () => {
    const answer = await admin('/reload', { method: 'POST', headers: withToken })
    assert.equal(answer.status, 200)
    assert.equal((JSON.parse(answer.body) as { status: string }).status, 'reloaded')
  })
})

describe('KEY-08: secrets are not shown by the admin API', () => {
  test('GET /config shows the config with the admin token and secret-looking policy settings redacted', async () => {
    const answer = await admin('/config', { headers: withToken })
    assert.equal(answer.status, 200)
    assert.ok(!answer.body.includes(TOKEN), 'the admin token is in /config')
    assert.ok(!answer.body.includes(API_KEY), 'the X-Api-Key value is in /config')
    const config = JSON.parse(answer.body) as { admin: { token: string }; routes: Array<{ name: string; upstream: string; policies: { headers: { request: { set: Record<string, string> } } } }> }
    assert.equal(config.admin.token, '***')
    assert.equal(config.routes[0].policies.headers.request.set['X-Api-Key'], '***')
    assert.equal(config.routes[0].upstream, 'app', 'the rest of the config is readable')
  })

  test('/metrics and admin error documents never contain the token', async () => {
    for (const [path, headers] of [['/metrics', withToken], ['/does-not-exist', withToken], ['/config', { authorization: 'Bearer nope-nope-nope-nope' }]] as const) {
      const answer = await admin(path, { headers })
      assert.ok(!answer.body.includes(TOKEN), path)
      assert.ok(!answer.body.includes(API_KEY), path)
    }
  })
})

describe('ADM-05: no CORS on the admin API', () => {
  for (const origin of ['https://evil.example', 'null']) {
    test(`Origin: ${origin} gets no Access-Control-Allow-Origin, on any answer`, async () => {
      const calls: Array<[string, string, Record<string, string>]> = [
        ['GET', '/health', {}],
        ['GET', '/metrics', withToken],
        ['GET', '/metrics', {}],
        ['GET', '/config', withToken],
        ['POST', '/reload', {}],
        ['OPTIONS', '/config', { 'access-control-request-method': 'GET', 'access-control-request-headers': 'authorization' }],
        ['OPTIONS', '/reload', { 'access-control-request-method': 'POST', ...withToken }],
      ]
      for (const [method, path, headers] of calls) {
        const answer = await admin(path, { method, headers: { origin, ...headers } })
        assert.ok(answer.status < 500, `${method} ${path}: ${answer.status}`)
        for (const name of ['access-control-allow-origin', 'access-control-allow-credentials', 'access-control-allow-methods', 'access-control-allow-headers']) {
          assert.deepEqual(headerValues(answer, name), [], `${method} ${path}: ${name}`)
        }
      }
    })
  }
})
