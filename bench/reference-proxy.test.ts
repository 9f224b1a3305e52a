import assert from 'node:assert/strict'
import { createHash } from 'node:crypto'
import { createServer, request, type IncomingHttpHeaders, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { after, before, test } from 'node:test'
import { createReferenceProxy } from './reference-proxy.ts'

// An upstream that reports what it received: the request headers, and for bodies their length
// and hash. It answers /hop with hop-by-hop headers of its own.
function createEchoUpstream(): Server {
  return createServer((req, res) => {
    if (req.url === '/hop') {
      res.writeHead(200, { connection: 'keep-alive, x-upstream-hop', 'keep-alive': 'timeout=5', 'x-upstream-hop': '1', 'x-kept': 'yes', 'content-length': '2' })
      res.end('ok')
      return
    }
    const hash = createHash('sha256')
    let length = 0
    req.on('data', (chunk: Buffer) => {
      hash.update(chunk)
      length += chunk.length
    })
    req.on('end', () => {
      res.writeHead(200, { 'content-type': 'application/json' })
      res.end(JSON.stringify({ headers: req.headers, length, sha256: hash.digest('hex') }))
    })
  })
}

const listen = (server: Server): Promise<number> => new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve((server.address() as AddressInfo).port)))

interface Answer {
  status: number
  headers: IncomingHttpHeaders
  body: string
}

function send(port: number, options: { method?: string; path?: string; headers?: Record<string, string>; body?: Buffer[] }): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, method: options.method ?? 'GET', path: options.path ?? '/', headers: options.headers, agent: false }, (res) => {
      let body = ''
      res.setEncoding('utf8')
      res.on('data', (chunk: string) => (body += chunk))
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body }))
    })
    req.on('error', reject)
    for (const chunk of options.body ?? []) req.write(chunk)
    req.end()
  })
}

const upstream = createEchoUpstream()
let upstreamPort = 0
let proxyPort = 0
let proxy: ReturnType<typeof createReferenceProxy>

before(async () => {
  upstreamPort = await listen(upstream)
  proxy = createReferenceProxy(`http://127.0.0.1:${upstreamPort}`)
  proxyPort = await listen(proxy.server)
})

after(async () => {
  proxy.server.closeAllConnections()
  proxy.server.close()
  await proxy.pool.close()
  upstream.closeAllConnections()
  upstream.close()
})

test('request hop-by-hop headers, and those Connection names, do not reach the upstream', async () => {
  const answer = await send(proxyPort, {
    headers: { connection: 'keep-alive, x-drop-me, x-forwarded-for', 'keep-alive': 'timeout=5', te: 'trailers', 'x-drop-me': '1', 'x-keep-me': '2', 'x-forwarded-for': '203.0.113.9', 'proxy-connection': 'keep-alive' },
  })
  assert.equal(answer.status, 200)
  const seen = (JSON.parse(answer.body) as { headers: IncomingHttpHeaders }).headers
  assert.equal(seen['x-keep-me'], '2')
  for (const name of ['x-drop-me', 'keep-alive', 'te', 'proxy-connection']) assert.equal(seen[name], undefined, `${name} was forwarded`)
  // The client's own X-Forwarded-For was named in Connection; the proxy's entry still arrives.
  assert.equal(seen['x-forwarded-for'], '127.0.0.1')
  assert.equal(seen.host, `127.0.0.1:${upstreamPort}`)
})

test('X-Forwarded-For from the client is extended with the peer address', async () => {
  const answer = await send(proxyPort, { headers: { 'x-forwarded-for': '203.0.113.9' } })
  assert.equal((JSON.parse(answer.body) as { headers: IncomingHttpHeaders }).headers['x-forwarded-for'], '203.0.113.9, 127.0.0.1')
})

test('response hop-by-hop headers do not reach the client', async () => {
  const answer = await send(proxyPort, { path: '/hop' })
  assert.equal(answer.status, 200)
  assert.equal(answer.body, 'ok')
  assert.equal(answer.headers['x-kept'], 'yes')
  assert.equal(answer.headers['x-upstream-hop'], undefined)
  assert.notEqual(answer.headers['keep-alive'], 'timeout=5')
})

test('a chunked 1 MiB request body arrives whole', async () => {
  const chunks = Array.from({ length: 16 }, (_, i) => Buffer.alloc(65_536, i))
  const expected = createHash('sha256').update(Buffer.concat(chunks)).digest('hex')
  const answer = await send(proxyPort, { method: 'POST', headers: { 'content-type': 'application/octet-stream' }, body: chunks })
  const seen = JSON.parse(answer.body) as { length: number; sha256: string; headers: IncomingHttpHeaders }
  assert.equal(seen.length, 1_048_576)
  assert.equal(seen.sha256, expected)
  assert.equal(seen.headers['transfer-encoding'], 'chunked')
})

test('an unreachable upstream gives 502', async () => {
  const closed = createServer()
  const deadPort = await listen(closed)
  await new Promise<void>((resolve) => closed.close(() => resolve()))
  const lonely = createReferenceProxy(`http://127.0.0.1:${deadPort}`)
  const port = await listen(lonely.server)
  try {
    const answer = await send(port, {})
    assert.equal(answer.status, 502)
  } finally {
    lonely.server.close()
    await lonely.pool.close()
  }
})
