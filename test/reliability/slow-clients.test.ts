import { test, after, before } from 'node:test'
import assert from 'node:assert/strict'
import http from 'node:http'
import net from 'node:net'
import { startGateway, type TestGateway } from '../helpers/gateway.ts'
import { startUpstream, type TestUpstream } from '../helpers/servers.ts'

const HEADERS_TIMEOUT_MS = 1000
const TRICKLE_MS = 300

let upstream: TestUpstream
let gw: TestGateway

before(async () => {
  upstream = await startUpstream()
  gw = await startGateway(`
limits: { headersTimeoutMs: ${HEADERS_TIMEOUT_MS}, requestTimeoutMs: 2000 }
upstreams: { backend: { targets: ['${upstream.url}'] } }
routes: [{ paths: [/], upstream: backend }]
`)
})

after(async () => {
  await gw.stop()
  await upstream.close()
})

interface SlowClient {
  /** Everything the gateway sent back so far. */
  received(): string
  closed(): boolean
  stop(): void
}

/** Sends a request head one byte every TRICKLE_MS, never finishing it (slowloris). */
function slowloris(): SlowClient {
  const head = `GET /slow HTTP/1.1\r\nHost: a\r\nX-Padding: ${'a'.repeat(1000)}`
  const socket = net.connect(gw.port, '127.0.0.1')
  let received = ''
  let index = 0
  const timer = setInterval(() => socket.write(head[index++ % head.length]), TRICKLE_MS)
  socket.on('data', (chunk: Buffer) => (received += chunk.toString('latin1')))
  socket.on('close', () => clearInterval(timer))
  socket.on('error', () => {})
  return {
    received: () => received,
    closed: () => socket.destroyed,
    stop() {
      clearInterval(timer)
      socket.destroy()
    },
  }
}

function get(path: string): Promise<{ status: number; ms: number }> {
  const started = performance.now()
  return new Promise((resolve, reject) => {
    http.get({ host: '127.0.0.1', port: gw.port, path, agent: false }, (res) => {
      res.resume()
      res.on('end', () => resolve({ status: res.statusCode ?? 0, ms: performance.now() - started }))
    }).on('error', reject)
  })
}

test('LOAD-01: while clients trickle their heads, normal clients are served and nothing is forwarded for the slow ones', async () => {
  const slow = Array.from({ length: 20 }, slowloris)
  try {
    const deadline = performance.now() + 2.5 * HEADERS_TIMEOUT_MS
    while (performance.now() < deadline) {
      const answer = await get('/normal')
      assert.equal(answer.status, 200)
      assert.ok(answer.ms < 500, `a normal request took ${answer.ms.toFixed(0)} ms`)
      await new Promise((resolve) => setTimeout(resolve, 200))
    }
    assert.ok(upstream.seen.length > 5)
    assert.equal(upstream.seen.filter((seen) => seen.url === '/slow').length, 0, 'an unfinished head is never forwarded')
    for (const client of slow) {
      // The only acceptable answer to an unfinished head is 408 (or a plain close).
      assert.ok(client.received() === '' || client.received().startsWith('HTTP/1.1 408 '), client.received().slice(0, 60))
    }
  } finally {
    for (const client of slow) client.stop()
  }
})
