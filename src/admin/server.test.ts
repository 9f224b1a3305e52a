import assert from 'node:assert/strict'
import { request as httpRequest } from 'node:http'
import { connect } from 'node:net'
import { after, before, describe, it } from 'node:test'
import { setTimeout as delay } from 'node:timers/promises'
import { parsePrometheusText } from '../../test/observability/prometheus-text.ts'
import { ConfigError } from '../config/issues.ts'
import { GatehouseError } from '../core/errors/gatehouse-error.ts'
import { GatewayMetrics } from '../observability/metrics.ts'
import { createProcessLogger } from '../observability/process-log.ts'
import { createAdminServer, type AdminReloadResult, type AdminServer, type AdminServerOptions } from './server.ts'

const TOKEN = 'test-admin-token-0123456789abcdef'

interface Reply {
  status: number
  headers: Record<string, string | string[] | undefined>
  body: string
  json: () => Record<string, unknown>
}

function send(server: AdminServer, method: string, path: string, options: { headers?: Record<string, string>; body?: string | Buffer; chunked?: boolean } = {}): Promise<Reply> {
  const { port } = server.address()
  return new Promise((resolve, reject) => {
    const headers = { ...options.headers }
    if (options.body !== undefined && options.chunked !== true) headers['content-length'] = String(Buffer.byteLength(options.body))
    const req = httpRequest({ host: '127.0.0.1', port, method, path, headers, agent: false }, (res) => {
      let body = ''
      res.setEncoding('utf8').on('data', (chunk: string) => (body += chunk))
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body, json: () => JSON.parse(body) }))
    })
    req.on('error', reject)
    if (options.body !== undefined) req.write(options.body)
    req.end()
  })
}

const auth = { authorization: `Bearer ${TOKEN}` }

function assertSecurityHeaders(reply: Reply): void {
  assert.equal(reply.headers['x-content-type-options'], 'nosniff')
  assert.equal(reply.headers['cache-control'], 'no-store')
  for (const name of Object.keys(reply.headers)) assert.doesNotMatch(name, /^access-control-/, `no CORS header (${name})`)
}

function assertProblem(reply: Reply, status: number, code: string): Record<string, unknown> {
  assert.equal(reply.status, status, reply.body)
  assert.equal(reply.headers['content-type'], 'application/problem+json')
  const problem = reply.json()
  assert.equal(problem.code, code)
  assert.equal(problem.status, status)
  assertSecurityHeaders(reply)
  return problem
}

interface Harness {
  server: AdminServer
  metrics: GatewayMetrics
  ready: { value: boolean }
  reloadResults: AdminReloadResult[]
  reloadCalls: number
  logLines: Array<Record<string, unknown>>
}

async function startAdmin(overrides: Partial<AdminServerOptions> = {}): Promise<Harness> {
  const metrics = new GatewayMetrics({ defaultMetrics: false })
  const ready = { value: true }
  const logLines: Array<Record<string, unknown>> = []
  const harness: Harness = { server: undefined as unknown as AdminServer, metrics, ready, reloadResults: [], reloadCalls: 0, logLines }
  harness.server = await createAdminServer({
    host: '127.0.0.1',
    port: 0,
    token: TOKEN,
    metrics: () => metrics.expose(),
    readiness: () => ({ ready: ready.value, checks: { listeners: ready.value, configVersion: 3 } }),
    reload: async () => {
      harness.reloadCalls++
      return harness.reloadResults.shift() ?? { ok: true, version: 1 }
    },
    configSummary: () => ({ admin: { host: '127.0.0.1', token: '***' }, routes: [{ name: 'orders' }] }),
    log: createProcessLogger('info', { stream: { write: (line: string) => void logLines.push(JSON.parse(line)) } }),
    ...overrides,
  })
  return harness
}

describe('admin server', () => {
  let h: Harness
  before(async () => {
    h = await startAdmin()
  })
  after(async () => {
    await h.server.close()
  })

  it('binds where it was told, on an ephemeral port', () => {
    const { host, port } = h.server.address()
    assert.equal(host, '127.0.0.1')
    assert.ok(port > 0)
  })

  it('GET /health answers 200 {"status":"ok"} without a credential, with security headers', async () => {
    const reply = await send(h.server, 'GET', '/health')
    assert.equal(reply.status, 200)
    assert.deepEqual(reply.json(), { status: 'ok' })
    assert.match(String(reply.headers['content-type']), /^application\/json/)
    assertSecurityHeaders(reply)
    const head = await send(h.server, 'HEAD', '/health')
    assert.equal(head.status, 200)
    assert.equal(head.body, '')
  })

  it('GET /ready answers 200 or 503 with the checks, without a credential', async () => {
    let reply = await send(h.server, 'GET', '/ready')
    assert.equal(reply.status, 200)
    assert.deepEqual(reply.json(), { status: 'ready', checks: { listeners: true, configVersion: 3 } })
    h.ready.value = false
    try {
      reply = await send(h.server, 'GET', '/ready')
      assert.equal(reply.status, 503)
      assert.deepEqual(reply.json(), { status: 'not ready', checks: { listeners: false, configVersion: 3 } })
      assertSecurityHeaders(reply)
    } finally {
      h.ready.value = true
    }
  })

  it('ADM-02: every other admin path and method without valid credentials → 401 with WWW-Authenticate: Bearer', async () => {
    const requests: Array<[string, string]> = [
      ['GET', '/metrics'], ['POST', '/reload'], ['GET', '/config'], ['GET', '/reload'], ['DELETE', '/config'], ['PUT', '/metrics'],
      ['OPTIONS', '/metrics'], ['GET', '/export'], ['GET', '/debug'], ['POST', '/import'], ['GET', '/metrics/'], ['GET', '/HEALTH'],
      ['GET', '/'], ['GET', '/health/../metrics'],
    ]
    const credentials: Array<Record<string, string>> = [
      {},
      { authorization: 'Bearer wrong' },
      { authorization: `Bearer ${TOKEN}x` },
      { authorization: `Bearer ${TOKEN.slice(0, -1)}` },
      { authorization: `Bearer  ${TOKEN}` },
      { authorization: `Bearer ${TOKEN} junk` },
      { authorization: `Basic ${Buffer.from(`admin:${TOKEN}`).toString('base64')}` },
      { authorization: TOKEN },
      { authorization: 'Bearer' },
      { 'x-api-key': TOKEN },
    ]
    const callsBefore = h.reloadCalls
    for (const [method, path] of requests) {
      for (const headers of credentials) {
        const reply = await send(h.server, method, path, { headers })
        const problem = assertProblem(reply, 401, 'GH_ERR_ADMIN_UNAUTHORIZED')
        assert.match(String(reply.headers['www-authenticate']), /^Bearer\b/, `${method} ${path}`)
        assert.equal(problem.type, 'https://gatehouse.dev/errors/GH_ERR_ADMIN_UNAUTHORIZED')
      }
    }
    assert.equal(h.reloadCalls, callsBefore, 'no unauthenticated reload ran')
  })

  it('accepts the bearer scheme in any letter case', async () => {
    const reply = await send(h.server, 'GET', '/metrics', { headers: { authorization: `bearer ${TOKEN}` } })
    assert.equal(reply.status, 200)
  })

  it('GET /metrics returns the Prometheus text with exact counts and cumulative buckets', async () => {
    h.metrics.setRoutes(['orders'])
    h.metrics.recordRequest(0, 200, 0.004, 0.003)
    h.metrics.recordRequest(0, 200, 0.3, 0.2)
    h.metrics.recordRequest(0, 429, 0.0002, undefined)
    const reply = await send(h.server, 'GET', '/metrics', { headers: auth })
    assert.equal(reply.status, 200)
    assert.equal(reply.headers['content-type'], 'text/plain; version=0.0.4; charset=utf-8')
    assertSecurityHeaders(reply)
    const { values, types } = parsePrometheusText(reply.body)
    assert.equal(types.get('gatehouse_requests_total'), 'counter')
    assert.equal(values.get('gatehouse_requests_total{route="orders",status="200"}'), 2)
    assert.equal(values.get('gatehouse_requests_total{route="orders",status="429"}'), 1)
    const bucket = (le: string) => values.get(`gatehouse_request_duration_seconds_bucket{le="${le}",route="orders"}`)
    assert.deepEqual([bucket('0.001'), bucket('0.0025'), bucket('0.005'), bucket('0.25'), bucket('0.5'), bucket('+Inf')], [1, 1, 2, 2, 3, 3])
    assert.equal(values.get('gatehouse_request_duration_seconds_count{route="orders"}'), 3)
    assert.equal(values.get('gatehouse_upstream_duration_seconds_count{route="orders"}'), 2)
  })

  it('POST /reload answers 200 {"status":"reloaded","version":N}', async () => {
    h.reloadResults.push({ ok: true, version: 7 })
    const reply = await send(h.server, 'POST', '/reload', { headers: auth })
    assert.equal(reply.status, 200)
    assert.deepEqual(reply.json(), { status: 'reloaded', version: 7 })
    assertSecurityHeaders(reply)
  })

  it('CFG-02: a refused reload answers 400 problem+json with the code and every issue', async () => {
    const error = new ConfigError([
      { code: 'GH_ERR_CONFIG_SYNTAX', file: 'gatehouse.yaml', line: 3, column: 5, path: '', message: 'unexpected end of flow sequence' },
      { code: 'GH_ERR_CONFIG_INVALID', file: 'gatehouse.yaml', line: 9, column: 7, path: 'routes[0].upstream', message: 'must be a string' },
    ])
    h.reloadResults.push({ ok: false, error })
    const reply = await send(h.server, 'POST', '/reload', { headers: auth })
    const problem = assertProblem(reply, 400, 'GH_ERR_CONFIG_SYNTAX')
    assert.match(String(problem.detail), /gatehouse\.yaml:3:5 unexpected end of flow sequence/)
    const errors = problem.errors as Array<Record<string, unknown>>
    assert.equal(errors.length, 2)
    assert.deepEqual(errors.map((issue) => [issue.code, issue.path, issue.line]), [['GH_ERR_CONFIG_SYNTAX', '', 3], ['GH_ERR_CONFIG_INVALID', 'routes[0].upstream', 9]])
  })

  it('a refused reload given as code and issues (no ConfigError) has the same shape', async () => {
    h.reloadResults.push({ ok: false, error: { code: 'GH_ERR_CONFIG_REFERENCE', detail: 'routes[1].upstream names "nope"', issues: [{ path: 'routes[1].upstream' }] } })
    const problem = assertProblem(await send(h.server, 'POST', '/reload', { headers: auth }), 400, 'GH_ERR_CONFIG_REFERENCE')
    assert.deepEqual(problem.errors, [{ path: 'routes[1].upstream' }])
  })

  it('runs concurrent reloads one after another', async () => {
    let running = 0
    let overlapped = false
    let version = 10
    const server = (await startAdmin({
      reload: async () => {
        running++
        overlapped ||= running > 1
        await delay(30)
        running--
        return { ok: true, version: ++version }
      },
    })).server
    try {
      const replies = await Promise.all([1, 2, 3].map(() => send(server, 'POST', '/reload', { headers: auth })))
      assert.equal(overlapped, false)
      assert.deepEqual(replies.map((reply) => reply.json().version).sort(), [11, 12, 13])
    } finally {
      await server.close()
    }
  })

  it('GET /config returns the redacted summary it was given', async () => {
    const reply = await send(h.server, 'GET', '/config', { headers: auth })
    assert.equal(reply.status, 200)
    assert.deepEqual(reply.json(), { admin: { host: '127.0.0.1', token: '***' }, routes: [{ name: 'orders' }] })
    assert.doesNotMatch(reply.body, new RegExp(TOKEN))
  })

  it('unknown paths answer 404 GH_ERR_ADMIN_NOT_FOUND once authenticated', async () => {
    for (const path of ['/nope', '/metrics/', '/health/x', '/']) {
      assertProblem(await send(h.server, 'GET', path, { headers: auth }), 404, 'GH_ERR_ADMIN_NOT_FOUND')
    }
  })

  it('a wrong method answers 405 with Allow', async () => {
    let reply = await send(h.server, 'GET', '/reload', { headers: auth })
    assertProblem(reply, 405, 'GH_ERR_ADMIN_METHOD_NOT_ALLOWED')
    assert.equal(reply.headers.allow, 'POST')
    reply = await send(h.server, 'DELETE', '/health')
    assertProblem(reply, 405, 'GH_ERR_ADMIN_METHOD_NOT_ALLOWED')
    assert.equal(reply.headers.allow, 'GET, HEAD')
  })

  it('ADM-05: no CORS headers, not even for a preflight from a foreign or null origin', async () => {
    for (const origin of ['https://evil.example', 'null']) {
      const preflight = await send(h.server, 'OPTIONS', '/metrics', { headers: { ...auth, origin, 'access-control-request-method': 'GET' } })
      assertProblem(preflight, 405, 'GH_ERR_ADMIN_METHOD_NOT_ALLOWED')
      assertSecurityHeaders(await send(h.server, 'GET', '/metrics', { headers: { ...auth, origin } }))
      assertSecurityHeaders(await send(h.server, 'GET', '/health', { headers: { origin } }))
    }
  })

  it('refuses a request body over 1 KiB with 413 GH_ERR_BODY_TOO_LARGE, declared or chunked', async () => {
    const callsBefore = h.reloadCalls
    const big = 'x'.repeat(1025)
    let reply = await send(h.server, 'POST', '/reload', { headers: auth, body: big })
    assertProblem(reply, 413, 'GH_ERR_BODY_TOO_LARGE')
    assert.equal(reply.headers.connection, 'close')
    reply = await send(h.server, 'POST', '/reload', { headers: auth, body: big, chunked: true })
    assertProblem(reply, 413, 'GH_ERR_BODY_TOO_LARGE')
    assert.equal(h.reloadCalls, callsBefore)
    reply = await send(h.server, 'POST', '/reload', { headers: auth, body: '{}' })
    assert.equal(reply.status, 200, 'a small body is read and ignored')
  })

  it('a failing metrics source answers 500 and is logged, and the server keeps serving', async () => {
    const harness = await startAdmin({ metrics: () => Promise.reject(new Error('worker 3 did not answer')) })
    try {
      const reply = await send(harness.server, 'GET', '/metrics', { headers: auth })
      const problem = assertProblem(reply, 500, 'GH_ERR_INTERNAL')
      assert.doesNotMatch(String(problem.detail), /worker 3/, 'internal detail stays in the process log')
      assert.equal(harness.logLines.length, 1)
      assert.match(String((harness.logLines[0].err as { message: string }).message), /worker 3 did not answer/)
      assert.equal((await send(harness.server, 'GET', '/health')).status, 200)
    } finally {
      await harness.server.close()
    }
  })

  it('a throwing reload answers 500 GH_ERR_INTERNAL', async () => {
    const harness = await startAdmin({ reload: () => Promise.reject(new Error('boom')) })
    try {
      assertProblem(await send(harness.server, 'POST', '/reload', { headers: auth }), 500, 'GH_ERR_INTERNAL')
      assert.equal(harness.logLines.length, 1)
    } finally {
      await harness.server.close()
    }
  })
})

describe('admin server without a token on loopback', () => {
  it('serves every endpoint without credentials; /config is absent when no summary is given', async () => {
    const harness = await startAdmin({ token: undefined, configSummary: undefined })
    try {
      assert.equal((await send(harness.server, 'GET', '/metrics')).status, 200)
      assert.equal((await send(harness.server, 'POST', '/reload')).status, 200)
      assertProblem(await send(harness.server, 'GET', '/config'), 404, 'GH_ERR_ADMIN_NOT_FOUND')
    } finally {
      await harness.server.close()
    }
  })
})

describe('admin server setup', () => {
  it('ADM-01: refuses a non-loopback bind without a token (GH_ERR_CONFIG_ADMIN_UNPROTECTED)', async () => {
    for (const host of ['0.0.0.0', '::', '192.0.2.1']) {
      await assert.rejects(startAdmin({ host, token: undefined }), (error: unknown) => error instanceof GatehouseError && error.code === 'GH_ERR_CONFIG_ADMIN_UNPROTECTED')
    }
    await assert.rejects(startAdmin({ token: '' }), (error: unknown) => error instanceof GatehouseError && error.code === 'GH_ERR_CONFIG_INVALID')
  })

  it('rejects when the port is taken', async () => {
    const first = await startAdmin()
    try {
      await assert.rejects(startAdmin({ port: first.server.address().port }), { code: 'EADDRINUSE' })
    } finally {
      await first.server.close()
    }
  })

  it('cuts a client that is too slow to send its request head', async () => {
    const harness = await startAdmin({ timeouts: { headersMs: 200 } })
    try {
      const socket = connect(harness.server.address().port, '127.0.0.1')
      socket.write('GET /health HTTP/1.1\r\nHost: x\r\n')
      let received = ''
      socket.setEncoding('latin1').on('data', (chunk: string) => (received += chunk))
      const started = Date.now()
      await new Promise((resolve) => socket.on('close', resolve))
      assert.ok(Date.now() - started < 3000, 'closed soon after the deadline')
      assert.match(received, /^HTTP\/1\.1 408 /)
    } finally {
      await harness.server.close()
    }
  })

  it('close() ends idle keep-alive connections and stops listening', async () => {
    const harness = await startAdmin()
    const { port } = harness.server.address()
    const socket = connect(port, '127.0.0.1')
    socket.write('GET /health HTTP/1.1\r\nHost: x\r\n\r\n')
    await new Promise((resolve) => socket.once('data', resolve))
    const closed = new Promise((resolve) => socket.on('close', resolve))
    await harness.server.close()
    await closed
    await assert.rejects(
      new Promise((resolve, reject) => connect(port, '127.0.0.1').on('connect', resolve).on('error', reject)),
      { code: 'ECONNREFUSED' },
    )
  })
})
