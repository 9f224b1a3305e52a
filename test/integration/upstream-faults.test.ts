import { test, after } from 'node:test'
import assert from 'node:assert/strict'
import http from 'node:http'
import { startGateway, type TestGateway } from '../helpers/gateway.ts'
import { closedPort, startRawUpstream, startUpstream } from '../helpers/servers.ts'

const cleanup: Array<() => Promise<void>> = []
after(async () => {
  for (const fn of cleanup.reverse()) await fn()
})

async function gateway(yaml: string): Promise<TestGateway> {
  const gw = await startGateway(yaml)
  cleanup.push(() => gw.stop())
  return gw
}

function get(gw: TestGateway, path: string, method = 'GET', body?: string): Promise<{ status: number; body: string; ms: number; headers: http.IncomingHttpHeaders }> {
  const started = performance.now()
  return new Promise((resolve, reject) => {
    const req = http.request({ host: '127.0.0.1', port: gw.port, path, method, agent: false }, (res) => {
      let text = ''
      res.on('data', (chunk) => (text += chunk))
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body: text, ms: performance.now() - started, headers: res.headers }))
      res.on('error', reject)
    })
    req.on('error', reject)
    req.end(body)
  })
}

test('UPS-01: a refused connection is 502 GH_ERR_UPSTREAM_CONNECT_FAILED within 100 ms', async () => {
  const port = await closedPort()
  const gw = await gateway(`
upstreams: { dead: { targets: ['http://127.0.0.1:${port}'], retries: 0 } }
routes: [{ paths: [/], upstream: dead }]
`)
  const answer = await get(gw, '/x')
  assert.equal(answer.status, 502)
  assert.equal(JSON.parse(answer.body).code, 'GH_ERR_UPSTREAM_CONNECT_FAILED')
  assert.ok(answer.ms < 100, `took ${answer.ms} ms`)
})

test('UPS-01: an upstream that never answers is 504 GH_ERR_UPSTREAM_TIMEOUT at the configured timeout (±10%)', async () => {
  const silent = await startRawUpstream(() => {})
  cleanup.push(() => silent.close())
  const gw = await gateway(`
upstreams: { slow: { targets: ['${silent.url}'], timeouts: { headersMs: 400 } } }
routes: [{ paths: [/], upstream: slow }]
`)
  const answer = await get(gw, '/x')
  assert.equal(answer.status, 504)
  assert.equal(JSON.parse(answer.body).code, 'GH_ERR_UPSTREAM_TIMEOUT')
  assert.ok(answer.ms >= 360 && answer.ms < 600, `took ${answer.ms} ms`)
})

test('UPS-03: invalid upstream responses are 502 GH_ERR_UPSTREAM_PROTOCOL_ERROR and the connection is not reused', async () => {
  const responses = [
    'HTTP/1.1 2OO OK\r\nContent-Length: 0\r\n\r\n',
    'HTTP/1.1 200 OK\r\nX-A: a\x00b\r\nContent-Length: 0\r\n\r\n',
    'HTTP/1.1 200 OK\r\nContent-Length: 2\r\nTransfer-Encoding: chunked\r\n\r\nok',
    `HTTP/1.1 200 OK\r\nX-Big: ${'a'.repeat(200 * 1024)}\r\nContent-Length: 0\r\n\r\n`,
  ]
  let index = 0
  const broken = await startRawUpstream((socket) => socket.write(responses[index++ % responses.length]))
  cleanup.push(() => broken.close())
  const gw = await gateway(`
upstreams: { broken: { targets: ['${broken.url}'], retries: 0 } }
routes: [{ paths: [/], upstream: broken }]
`)
  for (let i = 0; i < responses.length; i++) {
    const answer = await get(gw, `/case-${i}`)
    assert.equal(answer.status, 502, `case ${i}`)
    assert.equal(JSON.parse(answer.body).code, 'GH_ERR_UPSTREAM_PROTOCOL_ERROR', `case ${i}`)
  }
  assert.equal(broken.connections, responses.length, 'each bad response cost its connection')
  const ok = await get(gw, '/x')
  assert.equal(ok.status, 502, 'gateway still answers after bad upstream responses')
})

test('UPS-04: a POST is never retried; a GET is retried once on another target', async () => {
  let hits = 0
  // Reads the request, then resets the connection without answering.
  const resetting = await startRawUpstream((socket, data) => {
    if (data.includes('\r\n\r\n')) {
      hits++
      socket.resetAndDestroy()
    }
  })
  const healthy = await startUpstream()
  cleanup.push(() => resetting.close(), () => healthy.close())
  const gw = await gateway(`
upstreams:
  pair:
    targets: ['${resetting.url}', '${healthy.url}']
    retries: 1
    healthCheck: { passive: { consecutiveFailures: 100 } }
routes: [{ paths: [/], upstream: pair }]
`)
  // Round-robin starts at the first target: both requests meet the resetting one first.
  const post = await get(gw, '/write', 'POST', 'data')
  const hitsAfterPost = hits
  assert.equal(hitsAfterPost, 1, 'the POST reached the upstream exactly once')
  if (post.status !== 200) assert.equal(JSON.parse(post.body).code, 'GH_ERR_UPSTREAM_RESET')
  const seenBefore = healthy.seen.length
  let retried = 0
  for (let i = 0; i < 4; i++) {
    const answer = await get(gw, `/read-${i}`)
    assert.equal(answer.status, 200, 'GETs succeed, through a retry when they hit the resetting target')
  }
  retried = hits - hitsAfterPost
  assert.ok(retried >= 1, 'at least one GET met the resetting target and was retried')
  assert.equal(healthy.seen.length - seenBefore, 4)
})

test('UPS-11: a client that disconnects aborts the upstream request', async () => {
  let upstreamClosed = false
  const slow = await startUpstream((req, res) => {
    res.on('close', () => (upstreamClosed = true))
    setTimeout(() => res.end('late'), 2000)
  })
  cleanup.push(() => slow.close())
  const gw = await gateway(`
upstreams: { slow: { targets: ['${slow.url}'] } }
routes: [{ paths: [/], upstream: slow }]
`)
  await new Promise<void>((resolve) => {
    const req = http.get({ host: '127.0.0.1', port: gw.port, path: '/slow', agent: false })
    req.on('error', () => resolve())
    setTimeout(() => {
      req.destroy()
      resolve()
    }, 200)
  })
  await new Promise((resolve) => setTimeout(resolve, 200))
  assert.equal(upstreamClosed, true, 'upstream connection was closed when the client left')
  const after = await get(gw, '/x')
  assert.equal(after.status, 200, 'the gateway keeps serving')
})

test('no healthy target gives 503 GH_ERR_UPSTREAM_UNAVAILABLE', async () => {
  const port = await closedPort()
  const gw = await gateway(`
upstreams:
  gone:
    targets: ['http://127.0.0.1:${port}']
    retries: 0
    healthCheck: { active: { path: /health, intervalMs: 100, timeoutMs: 50, unhealthyThreshold: 1 } }
routes: [{ paths: [/], upstream: gone }]
`)
  await new Promise((resolve) => setTimeout(resolve, 300))
  const answer = await get(gw, '/x')
  assert.equal(answer.status, 503)
  assert.equal(JSON.parse(answer.body).code, 'GH_ERR_UPSTREAM_UNAVAILABLE')
})
