import { test, after, before } from 'node:test'
import assert from 'node:assert/strict'
import http from 'node:http'
import { startGateway, type TestGateway } from '../helpers/gateway.ts'
import { startRawUpstream, type RawUpstream } from '../helpers/servers.ts'

const HEADERS_MS = 800
const POOL = 2
const QUEUE = 2

// For /slow the upstream accepts the request and then trickles a response head that never ends,
// one byte every 100 ms: each byte is activity on the socket, so only an absolute head deadline
// ends the wait. /fast is answered at once.
let upstream: RawUpstream
let gw: TestGateway
const timers = new Set<NodeJS.Timeout>()

before(async () => {
  upstream = await startRawUpstream((socket, data) => {
    if (!data.includes('\r\n\r\n')) return
    if (data.toString('latin1').startsWith('GET /fast ')) {
      socket.write('HTTP/1.1 200 OK\r\nContent-Length: 4\r\n\r\nfast')
      return
    }
    socket.write('HTTP/1.1 200 OK\r\nX-Slow: ')
    const timer = setInterval(() => (socket.destroyed ? clearInterval(timer) : socket.write('a')), 100)
    timers.add(timer)
    socket.on('close', () => clearInterval(timer))
  })
  gw = await startGateway(`
upstreams:
  trickle:
    targets: ['${upstream.url}']
    poolSize: ${POOL}
    queueSize: ${QUEUE}
    retries: 0
    timeouts: { headersMs: ${HEADERS_MS} }
    healthCheck: { passive: { consecutiveFailures: 1000 } }
routes: [{ paths: [/], upstream: trickle }]
`)
})

after(async () => {
  for (const timer of timers) clearInterval(timer)
  await gw.stop()
  await upstream.close()
})

function get(path: string): Promise<{ status: number; code: string | undefined; ms: number }> {
  const started = performance.now()
  return new Promise((resolve, reject) => {
    http.get({ host: '127.0.0.1', port: gw.port, path, agent: false }, (res) => {
      let body = ''
      res.on('data', (chunk) => (body += chunk))
      res.on('end', () => resolve({ status: res.statusCode ?? 0, code: /"code":"([A-Z_]+)"/.exec(body)?.[1], ms: performance.now() - started }))
    }).on('error', reject)
  })
}

test('UPS-06: beyond pool + queue the excess gets 503 at once; the rest end with 504 at the head deadline', async () => {
  const requests = Array.from({ length: 6 }, (_, i) => get(`/slow/${i}`))
  await new Promise((resolve) => setTimeout(resolve, HEADERS_MS / 2))
  assert.equal(upstream.connections, POOL, 'while the first requests wait, only poolSize connections are open')
  const answers = await Promise.all(requests)

  const overloaded = answers.filter((answer) => answer.status === 503)
  assert.equal(overloaded.length, 6 - POOL - QUEUE, JSON.stringify(answers))
  for (const answer of overloaded) {
    assert.equal(answer.code, 'GH_ERR_UPSTREAM_OVERLOADED')
    assert.ok(answer.ms < 200, `503 took ${answer.ms.toFixed(0)} ms`)
  }
  const timedOut = answers.filter((answer) => answer.status === 504)
  assert.equal(timedOut.length, POOL + QUEUE, JSON.stringify(answers))
  for (const answer of timedOut) {
    assert.equal(answer.code, 'GH_ERR_UPSTREAM_TIMEOUT')
    // Pooled requests time out after one head deadline; queued ones get a connection when those
    // are dropped and then wait one deadline of their own.
    assert.ok(answer.ms >= HEADERS_MS * 0.9 && answer.ms < 2 * HEADERS_MS + 400, `504 took ${answer.ms.toFixed(0)} ms`)
  }
  assert.equal(upstream.connections, POOL + QUEUE, 'a timed-out connection is dropped and replaced, never more than poolSize at once')
})

test('UPS-06: after the overload the gateway serves normally', async () => {
  const answer = await get('/fast')
  assert.equal(answer.status, 200)
  const again = await Promise.all([get('/fast'), get('/fast'), get('/fast')])
  assert.deepEqual(again.map((one) => one.status), [200, 200, 200])
})
