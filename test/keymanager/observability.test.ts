// The key manager's requests in the gateway's access log and request metrics, as proxied requests
// are: under the route label `(key manager)`, with a correlation id, and without any credential.
import assert from 'node:assert/strict'
import { readFile } from 'node:fs/promises'
import { join } from 'node:path'
import { setTimeout as sleep } from 'node:timers/promises'
import { after, before, describe, test } from 'node:test'
import { basicAuthorization } from '../../src/keymanager/clients/basic-credentials.ts'
import { KEY_MANAGER_ROUTE_LABEL } from '../../src/observability/metrics.ts'
import { startGateway, type TestGateway } from '../helpers/gateway.ts'
import { ADMIN_TOKEN, GATEWAY_KEY_MANAGER_YAML, registerServiceClient } from './auth-server-kit.ts'

interface AccessLine { route: string; status: number; method: string; path: string; correlationId: string; bytesSent: number; clientIp: string }

describe('key manager requests in the access log and metrics', () => {
  let gateway: TestGateway
  let clientId = ''
  let clientSecret = ''
  let accessToken = ''
  const CORRELATION_ID = 'km-observed-4711'

  before(async () => {
    gateway = await startGateway([
      'observability: { accessLog: { enabled: true, destination: access.log }, metrics: true }',
      'routes: []',
      GATEWAY_KEY_MANAGER_YAML,
      '',
    ].join('\n'))
    ;({ clientId, clientSecret } = await registerServiceClient(gateway.url, 'observed', 'read'))
  })
  after(async () => {
    await gateway.stop()
  })

  const tokenRequest = (secret: string, headers: Record<string, string> = {}): Promise<Response> => fetch(`${gateway.url}/oauth2/token`, {
    method: 'POST',
    headers: { authorization: basicAuthorization(clientId, secret), 'content-type': 'application/x-www-form-urlencoded', ...headers },
    body: 'grant_type=client_credentials',
  })

  async function keyManagerLines(count: number): Promise<AccessLine[]> {
    const file = join(gateway.dir, 'access.log')
    for (let waited = 0; ; waited += 50) {
      const text = await readFile(file, 'utf8').catch(() => '')
      const lines = text.split('\n').filter((line) => line !== '').map((line) => JSON.parse(line) as AccessLine).filter((line) => line.route === KEY_MANAGER_ROUTE_LABEL)
      if (lines.length >= count || waited > 5000) return lines
      await sleep(50)
    }
  }

  test('each answer carries a correlation id: the caller\'s when valid, a new one otherwise', async () => {
    const granted = await tokenRequest(clientSecret, { 'x-correlation-id': CORRELATION_ID })
    assert.equal(granted.status, 200)
    accessToken = (await granted.json() as { access_token: string }).access_token
    assert.equal(granted.headers.get('x-correlation-id'), CORRELATION_ID)
    const refused = await tokenRequest('not-the-secret')
    assert.equal(refused.status, 401)
    assert.match(refused.headers.get('x-correlation-id') ?? '', /^[0-9a-f-]{36}$/)
    // OAUTH-01: credentials in the query string are refused, and the refused request's log line
    // must not hold them either.
    const inUrl = await fetch(`${gateway.url}/oauth2/token?client_secret=${clientSecret}&refresh_token=r-secret-in-url`, {
      method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: 'grant_type=client_credentials',
    })
    assert.equal(inUrl.status, 400)
    await inUrl.arrayBuffer()
    const jwks = await fetch(`${gateway.url}/oauth2/jwks`)
    assert.equal(jwks.status, 200)
    await jwks.arrayBuffer()
  })

  test('the access log has one line per request, route "(key manager)", and no credential', async () => {
    const lines = await keyManagerLines(5)
    assert.deepEqual(lines.map((line) => [line.method, line.path, line.status]), [
      ['POST', '/oauth2/client', 201],
      ['POST', '/oauth2/token', 200],
      ['POST', '/oauth2/token', 401],
      ['POST', '/oauth2/token?client_secret=***&refresh_token=***', 400],
      ['GET', '/oauth2/jwks', 200],
    ])
    assert.equal(lines[1].correlationId, CORRELATION_ID)
    assert.notEqual(lines[2].correlationId, CORRELATION_ID)
    assert.ok(lines.every((line) => line.clientIp === '127.0.0.1'), JSON.stringify(lines.map((line) => line.clientIp)))
    assert.ok(lines[1].bytesSent > accessToken.length, `bytesSent ${lines[1].bytesSent}`)
    const text = await readFile(join(gateway.dir, 'access.log'), 'utf8')
    for (const credential of [clientSecret, accessToken, ADMIN_TOKEN, 'r-secret-in-url']) assert.ok(!text.includes(credential), 'no credential in the access log')
  })

  test('the request metrics count them by status under the same route label', async () => {
    const exposition = await gateway.gateway.metrics?.registry.metrics() ?? ''
    const count = (status: number): number => Number(new RegExp(`^gatehouse_requests_total\\{route="\\(key manager\\)",status="${status}"\\} (\\d+)`, 'm').exec(exposition)?.[1] ?? 0)
    assert.equal(count(201), 1)
    assert.equal(count(200), 2)
    assert.equal(count(401), 1)
    assert.equal(count(400), 1)
    assert.match(exposition, /gatehouse_request_duration_seconds_count\{route="\(key manager\)"\} 5/)
  })

  test('bytesSent is the body received: a HEAD gets a Content-Length but no body, and counts 0', async () => {
    const head = await fetch(`${gateway.url}/oauth2/jwks`, { method: 'HEAD' })
    assert.equal(head.status, 200)
    assert.ok(Number(head.headers.get('content-length')) > 0)
    assert.equal((await head.arrayBuffer()).byteLength, 0)
    const get = await fetch(`${gateway.url}/oauth2/jwks`)
    const body = await get.arrayBuffer()
    const lines = (await keyManagerLines(7)).slice(5)
    assert.deepEqual(lines.map((line) => [line.method, line.path, line.bytesSent]), [['HEAD', '/oauth2/jwks', 0], ['GET', '/oauth2/jwks', body.byteLength]])
  })
})
