// The jwt policy's introspection mode through a running gateway: opaque tokens checked at an RFC
// 7662 endpoint (a scripted authorization server here, and Gatehouse's own key manager), answers
// cached (active ones never past the token's exp, refusals briefly), calls bounded, and an endpoint
// that cannot answer refusing the request with 503 instead of letting it through.
import assert from 'node:assert/strict'
import http from 'node:http'
import type { AddressInfo } from 'node:net'
import { after, before, describe, test } from 'node:test'
import { basicAuthorization } from '../../src/keymanager/clients/basic-credentials.ts'
import { accessToken, AUDIENCE, ISSUER, jwksOf, startJwksServer, testKey, type JwksServer } from '../../src/policies/jwt/jwt-policy-test-kit.fixture.ts'
import { startGateway, type TestGateway } from '../helpers/gateway.ts'
import { headerValues, httpRequest, problemCode, type HttpAnswer } from '../helpers/http-client.ts'
import { freePort } from '../helpers/ports.ts'
import { closedPort, startUpstream, type TestUpstream } from '../helpers/servers.ts'
import { ADMIN_TOKEN } from '../keymanager/auth-server-kit.ts'

const GATEWAY_CLIENT = { id: 'gateway:one', secret: 'gateway secret/+=' }

/** How the scripted endpoint answers: per token, or for every request. */
interface Script {
  answers: Map<string, Record<string, unknown>>
  mode: 'answer' | 'hang' | 'status-500' | 'not-json' | 'huge'
  delayMs: number
}

interface IntrospectionServer {
  url: string
  script: Script
  /** Calls received, with what identified the caller and the form sent. */
  calls: Array<{ authorization: string | undefined; form: URLSearchParams }>
  close(): Promise<void>
}

async function startIntrospectionServer(): Promise<IntrospectionServer> {
  const script: Script = { answers: new Map(), mode: 'answer', delayMs: 0 }
  const calls: IntrospectionServer['calls'] = []
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = []
    req.on('data', (chunk: Buffer) => chunks.push(chunk))
    req.on('end', () => {
      const form = new URLSearchParams(Buffer.concat(chunks).toString('utf8'))
      calls.push({ authorization: req.headers.authorization, form })
      const send = (): void => {
        if (script.mode === 'hang') return
        if (script.mode === 'status-500') return void res.writeHead(500, { 'content-length': 2 }).end('{}')
        const body = script.mode === 'not-json' ? '<html>' : script.mode === 'huge'
          ? JSON.stringify({ active: true, padding: 'x'.repeat(70 * 1024) })
          : JSON.stringify(script.answers.get(form.get('token') ?? '') ?? { active: false })
        res.writeHead(200, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) })
        res.end(body)
      }
      if (script.delayMs > 0) setTimeout(send, script.delayMs)
      else send()
    })
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()))
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/introspect`,
    script,
    calls,
    close: () => new Promise<void>((resolve) => {
      server.closeAllConnections()
      server.close(() => resolve())
    }),
  }
}

const nowSeconds = (): number => Math.floor(Date.now() / 1000)
const active = (overrides: Record<string, unknown> = {}): Record<string, unknown> => ({ active: true, token_type: 'Bearer', sub: 'user-7', client_id: 'app-7', scope: 'orders.read', aud: AUDIENCE, exp: nowSeconds() + 300, ...overrides })
let tokens = 0
/** A fresh opaque token (base64url, no dots). */
const opaque = (): string => Buffer.from(`opaque-token-${++tokens}-${Math.random()}`).toString('base64url')

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms))

describe('introspection against a scripted authorization server', () => {
  let upstream: TestUpstream
  let as: IntrospectionServer
  let jwks: JwksServer
  let gw: TestGateway
  const k1 = testKey('k1')
  const logged: Array<{ message: string; fields: Record<string, unknown> }> = []
  let unreachableEndpoint = ''

  before(async () => {
    upstream = await startUpstream()
    as = await startIntrospectionServer()
    jwks = await startJwksServer({ status: 200, body: jwksOf(k1) })
    const refused = await closedPort()
    unreachableEndpoint = `http://127.0.0.1:${refused}/introspect`
    const introspection = (extra: string, timeoutMs = 300) => `{ endpoint: '${as.url}', clientId: '${GATEWAY_CLIENT.id}', clientSecret: '${GATEWAY_CLIENT.secret}', timeoutMs: ${timeoutMs}, ${extra} }`
    gw = await startGateway(`
upstreams: { app: { targets: ['${upstream.url}'] } }
routes:
  - name: opaque
    paths: [/opaque]
    upstream: app
    policies:
      jwt:
        introspection: ${introspection(`audience: ${AUDIENCE}, cache: { ttlSeconds: 60, negativeTtlSeconds: 1 }`)}
        scopes: [orders.read]
        identityHeaders: { subject: X-Subject, clientId: X-Client-Id, scopes: X-Scopes }
  - name: mixed
    paths: [/mixed]
    upstream: app
    policies:
      jwt:
        issuers: [{ issuer: '${ISSUER}', jwksUri: '${jwks.url}', algorithms: [RS256], audience: ${AUDIENCE} }]
        introspection: ${introspection('')}
  - name: narrow
    paths: [/narrow]
    upstream: app
    policies:
      jwt:
        introspection: ${introspection('maxConcurrent: 2, cache: { maxEntries: 0 }', 3000)}
  - name: unreachable
    paths: [/unreachable]
    upstream: app
    policies:
      jwt:
        introspection: { endpoint: '${unreachableEndpoint}', clientId: a, clientSecret: b }
`, { log: (_level, message, fields) => void logged.push({ message, fields: fields ?? {} }) })
  })

  after(async () => {
    await gw?.stop()
    await upstream?.close()
    await as?.close()
    await jwks?.close()
  })

  function call(path: string, token: string): Promise<HttpAnswer> {
    return httpRequest(`${gw.url}${path}`, { headers: { authorization: `Bearer ${token}` } })
  }

  test('an active token passes with its identity; the call authenticates the gateway and the answer is cached', async () => {
    const token = opaque()
    as.script.answers.set(token, active())
    const calls = as.calls.length
    const seen = upstream.seen.length
    const answer = await call('/opaque', token)
    assert.equal(answer.status, 200, answer.body)
    assert.equal(upstream.seen[seen].headers['x-subject'], 'user-7')
    assert.equal(upstream.seen[seen].headers['x-client-id'], 'app-7')
    assert.equal(upstream.seen[seen].headers['x-scopes'], 'orders.read')
    const made = as.calls[calls]
    assert.equal(made.authorization, basicAuthorization(GATEWAY_CLIENT.id, GATEWAY_CLIENT.secret), 'client_secret_basic, id and secret form-encoded')
    assert.equal(made.form.get('token'), token)
    assert.equal(made.form.get('token_type_hint'), 'access_token')
    assert.equal((await call('/opaque', token)).status, 200)
    assert.equal(as.calls.length, calls + 1, 'the second request is answered from the cache')
  })

  test('OAUTH-15: an active answer is never used past the token\'s exp, even within the TTL', async () => {
    const token = opaque()
    as.script.answers.set(token, active({ exp: nowSeconds() + 2 }))
    const calls = as.calls.length
    assert.equal((await call('/opaque', token)).status, 200)
    assert.equal((await call('/opaque', token)).status, 200)
    assert.equal(as.calls.length, calls + 1)
    await sleep(2100)
    const answer = await call('/opaque', token)
    assert.equal(as.calls.length, calls + 2, 'asked again once exp has passed')
    assert.equal(answer.status, 401)
    assert.match(headerValues(answer, 'www-authenticate')[0], /error="invalid_token", error_description="token expired \(exp\)"/)
  })

  test('an inactive token is refused and the refusal is cached for negativeTtlSeconds only', async () => {
    const token = opaque()
    const calls = as.calls.length
    const seen = upstream.seen.length
    const answer = await call('/opaque', token)
    assert.equal(answer.status, 401)
    assert.equal(problemCode(answer), 'GH_ERR_AUTH_TOKEN_INVALID')
    assert.match(headerValues(answer, 'www-authenticate')[0], /error_description="token is not active"/)
    assert.equal((await call('/opaque', token)).status, 401)
    assert.equal(as.calls.length, calls + 1, 'the refusal is served from the negative cache')
    // The token became active at the server; the short negative TTL lets that show soon.
    as.script.answers.set(token, active())
    await sleep(1100)
    assert.equal((await call('/opaque', token)).status, 200)
    assert.equal(as.calls.length, calls + 2)
    assert.equal(upstream.seen.length, seen + 1, 'only the accepted request reached the upstream')
  })

  test('answers for another audience, refresh tokens, a wrong scope and a bad claim are refused', async () => {
    const cases: Array<[Record<string, unknown>, number, RegExp]> = [
      [active({ aud: 'billing' }), 401, /token audience \(aud\) is not accepted/],
      [active({ token_type: 'refresh_token' }), 401, /token is not an access token/],
      [active({ exp: 'tomorrow' }), 401, /claim exp is not valid/],
      [active({ sub: 42 }), 401, /claim sub is not valid/],
      [active({ scope: 'orders.write' }), 403, /insufficient_scope/],
    ]
    const seen = upstream.seen.length
    for (const [body, status, challenge] of cases) {
      const token = opaque()
      as.script.answers.set(token, body)
      const answer = await call('/opaque', token)
      assert.equal(answer.status, status, JSON.stringify(body))
      assert.match(headerValues(answer, 'www-authenticate')[0], challenge)
    }
    assert.equal(upstream.seen.length, seen)
  })

  test('fails closed: an endpoint that hangs, fails, answers garbage or too much gives 503, never a pass', async () => {
    const seen = upstream.seen.length
    try {
      for (const mode of ['hang', 'status-500', 'not-json', 'huge'] as const) {
        as.script.mode = mode
        const token = opaque()
        as.script.answers.set(token, active())
        const started = Date.now()
        const answer = await call('/opaque', token)
        assert.equal(answer.status, 503, mode)
        assert.equal(problemCode(answer), 'GH_ERR_AUTH_INTROSPECTION_UNAVAILABLE', mode)
        assert.equal(answer.headers['retry-after'], '1')
        assert.ok(Date.now() - started < 2000, `${mode}: bounded by timeoutMs`)
      }
      const refused = await call('/unreachable', opaque())
      assert.deepEqual([refused.status, problemCode(refused)], [503, 'GH_ERR_AUTH_INTROSPECTION_UNAVAILABLE'])
    } finally {
      as.script.mode = 'answer'
    }
    assert.equal(upstream.seen.length, seen, 'nothing reached the upstream')
    // Failures are not cached: the endpoint back, the same kind of token passes at once.
    const token = opaque()
    as.script.answers.set(token, active())
    assert.equal((await call('/opaque', token)).status, 200)
    // The process log heard once per outage and route, with the reason, and once of the recovery.
    const introspectionLines = logged.filter((line) => line.message.startsWith('token introspection')).map((line) => [line.message, line.fields.endpoint, line.fields.error])
    assert.deepEqual(introspectionLines, [
      ['token introspection failed; requests needing it are refused with 503 until it answers', as.url, 'the introspection endpoint did not answer within 300 ms'],
      ['token introspection failed; requests needing it are refused with 503 until it answers', unreachableEndpoint, 'the introspection endpoint cannot be reached (ECONNREFUSED)'],
      ['token introspection works again', as.url, undefined],
    ])
  })

  test('concurrent requests with one uncached token share one call', async () => {
    const token = opaque()
    as.script.answers.set(token, active())
    as.script.delayMs = 150
    const calls = as.calls.length
    try {
      const answers = await Promise.all(Array.from({ length: 8 }, () => call('/opaque', token)))
      assert.deepEqual(answers.map((a) => a.status), Array(8).fill(200))
    } finally {
      as.script.delayMs = 0
    }
    assert.equal(as.calls.length, calls + 1)
  })

  test('maxConcurrent bounds the calls in flight; the overflow is refused with 503 at once', async () => {
    // Long enough that all five requests arrive while the first two calls are still running.
    as.script.delayMs = 600
    const calls = as.calls.length
    try {
      const batch = Array.from({ length: 5 }, () => {
        const token = opaque()
        as.script.answers.set(token, active())
        return call('/narrow', token)
      })
      const statuses = (await Promise.all(batch)).map((a) => a.status).sort()
      assert.deepEqual(statuses, [200, 200, 503, 503, 503])
    } finally {
      as.script.delayMs = 0
    }
    assert.equal(as.calls.length, calls + 2)
  })

  test('with issuers and introspection, JWTs are verified locally and only opaque tokens introspected', async () => {
    const calls = as.calls.length
    assert.equal((await call('/mixed', accessToken(k1))).status, 200)
    assert.equal(as.calls.length, calls, 'no introspection for a JWT')
    const token = opaque()
    as.script.answers.set(token, active({ aud: undefined }))
    assert.equal((await call('/mixed', token)).status, 200)
    assert.equal(as.calls.length, calls + 1)
  })
})

describe('introspection against Gatehouse\'s own key manager', () => {
  let upstream: TestUpstream
  let gw: TestGateway
  let port: number

  const config = (clientId: string, clientSecret: string): string => `
listeners: [{ name: public, protocol: http, host: 127.0.0.1, port: ${port} }]
upstreams: { app: { targets: ['${upstream.url}'] } }
routes:
  - name: revocable
    paths: [/revocable]
    upstream: app
    policies:
      jwt:
        introspection:
          endpoint: http://127.0.0.1:${port}/oauth2/introspect
          clientId: '${clientId}'
          clientSecret: '${clientSecret}'
          cache: { ttlSeconds: 1 }
keyManager:
  adminToken: ${ADMIN_TOKEN}
  passwordHashing: { N: 1024 }
  tokens: { persist: true }
`

  before(async () => {
    upstream = await startUpstream()
    port = await freePort()
    // The gateway's own credentials exist only once it runs: start, register, reload.
    gw = await startGateway(config('not-registered-yet', 'x'))
  })

  after(async () => {
    await gw?.stop()
    await upstream?.close()
  })

  async function register(clientType: string): Promise<{ clientId: string; clientSecret: string }> {
    const answer = await fetch(`${gw.url}/oauth2/client`, {
      method: 'POST',
      headers: { authorization: `Bearer ${ADMIN_TOKEN}`, 'content-type': 'application/json' },
      body: JSON.stringify({ clientType, clientProfile: 'service', clientName: clientType, scope: 'orders.read', ownerId: 'o' }),
    })
    assert.equal(answer.status, 201)
    return await answer.json() as { clientId: string; clientSecret: string }
  }

  test('OAUTH-15: a revoked token is refused once the active answer\'s TTL has passed', async () => {
    const app = await register('confidential')
    const tokenAnswer = await fetch(`${gw.url}/oauth2/token`, {
      method: 'POST',
      headers: { authorization: basicAuthorization(app.clientId, app.clientSecret), 'content-type': 'application/x-www-form-urlencoded' },
      body: 'grant_type=client_credentials',
    })
    const token = (await tokenAnswer.json() as { access_token: string }).access_token
    const call = () => httpRequest(`${gw.url}/revocable`, { headers: { authorization: `Bearer ${token}` } })

    const before = await call()
    assert.equal(before.status, 503, 'the gateway\'s placeholder credentials are refused: fail closed')
    const gateway = await register('trusted')
    await gw.rewrite(config(gateway.clientId, gateway.clientSecret))
    const reloaded = await gw.gateway.reload()
    assert.equal(reloaded.ok, true, JSON.stringify(reloaded))
    assert.equal((await call()).status, 200)

    const revoked = await fetch(`${gw.url}/oauth2/revoke`, {
      method: 'POST',
      headers: { authorization: basicAuthorization(app.clientId, app.clientSecret), 'content-type': 'application/x-www-form-urlencoded' },
      body: `token=${token}`,
    })
    assert.equal(revoked.status, 200)
    const revokedAt = Date.now()
    let answer = await call()
    while (answer.status === 200 && Date.now() - revokedAt < 3000) {
      await sleep(100)
      answer = await call()
    }
    assert.equal(answer.status, 401)
    // The measured propagation bound is the cache TTL (1 s here), plus a request's latency.
    assert.ok(Date.now() - revokedAt <= 2000, `refused ${Date.now() - revokedAt} ms after the revocation, within the cache TTL`)
    assert.match(headerValues(answer, 'www-authenticate')[0], /token is not active/)
  })
})
