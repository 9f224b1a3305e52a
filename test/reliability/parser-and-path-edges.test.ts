import { test, after, before } from 'node:test'
import assert from 'node:assert/strict'
import net from 'node:net'
import type { PolicyDefinition } from '../../src/kit/policy.ts'
import { POLICIES } from '../../src/policies/index.ts'
import { startGateway, type TestGateway } from '../helpers/gateway.ts'
import { startGatewayWithOptions } from '../helpers/gateway-with-options.ts'
import { rawExchange, startUpstream, statusCodes, type TestUpstream } from '../helpers/servers.ts'
import { rawResponses } from '../helpers/raw-responses.ts'

let upstream: TestUpstream
const gateways: TestGateway[] = []
before(async () => {
  upstream = await startUpstream((req, res) => {
    const payload = JSON.stringify({ url: req.url, host: req.headers.host, xfh: req.headers['x-forwarded-host'], fwd: req.headers.forwarded })
    setTimeout(() => res.end(payload), req.url === '/slow' ? 200 : 0)
  })
})
after(async () => {
  for (const gw of gateways) await gw.stop()
  await upstream.close()
})
async function gateway(yaml: string): Promise<TestGateway> {
  const gw = await startGateway(yaml)
  gateways.push(gw)
  return gw
}

test('LOAD-01: a client trickling its head is cut off (408 or close) by ~headersTimeoutMs', async () => {
  const gw = await gateway(`
limits: { headersTimeoutMs: 1000, requestTimeoutMs: 2000 }
upstreams: { b: { targets: ['${upstream.url}'] } }
routes: [{ paths: [/], upstream: b }]
`)
  const started = performance.now()
  const outcome = await new Promise<{ ms: number; raw: string }>((resolve) => {
    const socket = net.connect(gw.port, '127.0.0.1')
    const head = `GET /slow-head HTTP/1.1\r\nHost: a\r\nX-Padding: ${'a'.repeat(200)}`
    let index = 0
    let raw = ''
    const timer = setInterval(() => socket.write(head[index++ % head.length]), 300)
    socket.on('data', (chunk: Buffer) => (raw += chunk.toString('latin1')))
    socket.on('close', () => {
      clearInterval(timer)
      resolve({ ms: performance.now() - started, raw })
    })
    socket.on('error', () => {})
    setTimeout(() => socket.destroy(), 5000)
  })
  assert.ok(outcome.ms < 1800, `cut off after ${outcome.ms.toFixed(0)} ms`)
  assert.ok(outcome.raw === '' || outcome.raw.startsWith('HTTP/1.1 408 '), outcome.raw.slice(0, 40))
})

test('PATH-05: "..;" and ".;" segments do not reach the upstream through an open route', async () => {
  const gw = await gateway(`
upstreams: { b: { targets: ['${upstream.url}'] } }
routes:
  - { name: public, paths: [/public], upstream: b }
  - { name: admin, paths: [/admin], upstream: b, policies: { ip-restriction: { allow: [203.0.113.0/24] } } }
`)
  for (const path of ['/public/..;/admin/users', '/public/..;x=1/admin/users', '/public/.;/x', '/public/%2e%2e;/admin/users']) {
    const before = upstream.seen.length
    const raw = await rawExchange(gw.port, `GET ${path} HTTP/1.1\r\nHost: a\r\nConnection: close\r\n\r\n`)
    assert.equal(upstream.seen.length, before, `${path} forwarded as ${upstream.seen.at(-1)?.url}`)
    assert.ok([400, 403, 404].includes(statusCodes(raw)[0]), `${path}: ${raw.slice(0, 40)}`)
  }
})

test('SMUG-08: absolute form — the upstream hears of the host that was routed on, not the Host header', async () => {
  const gw = await gateway(`
upstreams: { b: { targets: ['${upstream.url}'] } }
routes:
  - { name: api, hosts: [api.example], paths: [/], upstream: b }
  - { name: internal, hosts: [internal.example], paths: [/], upstream: b, preserveHost: true }
`)
  const raw = await rawExchange(gw.port, 'GET http://internal.example/admin HTTP/1.1\r\nHost: api.example\r\nConnection: close\r\n\r\n')
  const seen = JSON.parse(raw.slice(raw.indexOf('\r\n\r\n') + 4))
  assert.equal(seen.url, '/admin')
  assert.equal(seen.host, 'internal.example', 'preserveHost sends the request-target authority (RFC 9112 §3.2.2)')
  assert.equal(seen.xfh, 'internal.example')
})

test('LOAD-09: requests pipelined after "Connection: close" are ignored; the earlier ones are answered', async () => {
  const gw = await gateway(`
upstreams: { b: { targets: ['${upstream.url}'] } }
routes: [{ paths: [/], upstream: b }]
`)
  const payload = 'GET /one HTTP/1.1\r\nHost: a\r\n\r\nGET /two HTTP/1.1\r\nHost: a\r\nConnection: close\r\n\r\nGET /three HTTP/1.1\r\nHost: a\r\n\r\n'
  const result = await rawResponses(gw.port, payload, 3, 2000)
  assert.equal(result.closed, true)
  assert.deepEqual(result.responses.map((response) => JSON.parse(response.body).url), ['/one', '/two'])
})

test("LOAD-09: a malformed request pipelined behind a pending one never takes that one's place", async () => {
  const gw = await gateway(`
upstreams: { b: { targets: ['${upstream.url}'] } }
routes: [{ paths: [/], upstream: b }]
`)
  const before = upstream.seen.length
  const payload = 'POST /slow HTTP/1.1\r\nHost: a\r\nContent-Length: 0\r\n\r\nGET /x HTTP/1.1\r\nHost: a\r\nContent-Length: +5\r\n\r\nhello'
  const result = await rawResponses(gw.port, payload, 2, 3000)
  assert.equal(upstream.seen.length, before + 1, 'the POST was executed upstream')
  assert.equal(result.responses[0]?.status, 200, 'so its own response comes first')
  assert.equal(result.responses[1]?.status, 400)
})

test('a policy whose onResponse handler throws gives 500 GH_ERR_POLICY_FAILED and the process survives', async () => {
  const escaped: unknown[] = []
  const onEscaped = (error: unknown): void => void escaped.push(error)
  process.on('uncaughtException', onEscaped)
  try {
    const boom: PolicyDefinition<unknown> = {
      name: 'boom', description: 'fails on purpose', schema: { type: 'object' },
      create: () => ({ onResponse: () => { throw new Error('x') } }),
    }
    const gw = await startGatewayWithOptions(`
upstreams: { b: { targets: ['${upstream.url}'] } }
routes: [{ paths: [/], upstream: b, policies: { boom: {} } }]
`, { policies: { ...POLICIES, boom } })
    gateways.push(gw)
    const raw = await rawExchange(gw.port, 'GET /x HTTP/1.1\r\nHost: a\r\nConnection: close\r\n\r\n')
    assert.deepEqual(statusCodes(raw), [500])
    assert.match(raw, /GH_ERR_POLICY_FAILED/)
    assert.deepEqual(escaped, [])
  } finally {
    process.off('uncaughtException', onEscaped)
  }
})
