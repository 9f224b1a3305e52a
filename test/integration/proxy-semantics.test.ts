import { test, after, before } from 'node:test'
import assert from 'node:assert/strict'
import http from 'node:http'
import net from 'node:net'
import { startGateway, type TestGateway } from '../helpers/gateway.ts'
import { startUpstream, rawExchange, type TestUpstream } from '../helpers/servers.ts'

let upstream: TestUpstream
let gw: TestGateway

before(async () => {
  upstream = await startUpstream((req, res, body) => {
    if (req.url?.startsWith('/trailers')) {
      res.writeHead(200, { 'content-type': 'text/plain', trailer: 'x-checksum' })
      res.write('part one, ')
      res.addTrailers({ 'x-checksum': 'abc123' })
      res.end('part two')
      return
    }
    if (req.url?.startsWith('/hop')) {
      res.writeHead(200, { connection: 'keep-alive, x-internal', 'x-internal': 'secret', 'keep-alive': 'timeout=5', 'content-length': '2' })
      res.end('ok')
      return
    }
    const payload = JSON.stringify({ method: req.method, url: req.url, headers: req.headers, body: body.toString() })
    res.writeHead(200, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(payload) })
    res.end(payload)
  })
  gw = await startGateway(`
upstreams:
  backend:
    targets: [${upstream.url}]
routes:
  - name: api
    paths: [/api]
    stripPath: true
    upstream: backend
  - name: preserved
    paths: [/preserve]
    preserveHost: true
    upstream: backend
  - name: hosted
    hosts: [api.example.com]
    paths: [/]
    upstream: backend
  - name: rest
    paths: [/]
    upstream: backend
`)
})

after(async () => {
  await gw.stop()
  await upstream.close()
})

interface Answer { status: number; headers: http.IncomingHttpHeaders; body: string; trailers: NodeJS.Dict<string> }

function request(path: string, options: http.RequestOptions & { body?: string | Buffer } = {}): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const req = http.request({ host: '127.0.0.1', port: gw.port, path, agent: false, ...options }, (res) => {
      let body = ''
      res.setEncoding('latin1')
      res.on('data', (chunk: string) => (body += chunk))
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body, trailers: res.trailers }))
    })
    req.on('error', reject)
    req.end(options.body)
  })
}

test('forwards method, path and query; strips the route prefix when asked', async () => {
  const answer = await request('/api/users/7?x=1&y=2')
  assert.equal(answer.status, 200)
  const echoed = JSON.parse(answer.body)
  assert.equal(echoed.url, '/users/7?x=1&y=2')
  assert.equal(echoed.method, 'GET')
  assert.equal(JSON.parse((await request('/api')).body).url, '/')
})

test('PATH-07: a prefix matches whole segments only', async () => {
  const echoed = JSON.parse((await request('/apiadmin')).body)
  // /apiadmin is not under /api, so the catch-all route forwards it unstripped.
  assert.equal(echoed.url, '/apiadmin')
  assert.equal(JSON.parse((await request('/api/./admin')).body).url, '/admin')
  assert.equal(JSON.parse((await request('/api/%2e%2e/admin')).body).url, '/admin')
})

test('Host is rewritten to the target by default and preserved when the route says so', async () => {
  const rewritten = JSON.parse((await request('/api/x', { headers: { host: 'client.example' } })).body)
  assert.equal(rewritten.headers.host, `127.0.0.1:${upstream.port}`)
  assert.equal(rewritten.headers['x-forwarded-host'], 'client.example')
  const preserved = JSON.parse((await request('/preserve', { headers: { host: 'client.example' } })).body)
  assert.equal(preserved.headers.host, 'client.example')
})

test('routes by host name', async () => {
  const answer = await request('/anything', { headers: { host: 'API.example.com:8080' } })
  assert.equal(answer.status, 200)
  assert.equal(JSON.parse(answer.body).url, '/anything')
})

test('X-Forwarded-*, Via and X-Correlation-ID are set; untrusted forwarding headers are replaced (SMUG-13)', async () => {
  const answer = await request('/api/h', {
    headers: {
      'x-forwarded-for': '10.9.9.9', 'x-forwarded-proto': 'https', 'x-real-ip': '10.0.0.1', forwarded: 'for=127.0.0.2',
      'x-gatehouse-consumer': 'admin', 'x_forwarded_host': 'evil.example', via: '1.0 corp-proxy',
    },
  })
  const headers = JSON.parse(answer.body).headers
  assert.equal(headers['x-forwarded-for'], '127.0.0.1')
  assert.equal(headers['x-forwarded-proto'], 'http')
  assert.equal(headers['x-real-ip'], undefined)
  assert.equal(headers.forwarded, undefined)
  assert.equal(headers['x-gatehouse-consumer'], undefined)
  assert.equal(headers['x_forwarded_host'], undefined)
  assert.equal(headers.via, '1.0 corp-proxy, 1.1 gatehouse')
  assert.match(headers['x-correlation-id'], /^[0-9a-f-]{36}$/)
  assert.equal(answer.headers['x-correlation-id'], headers['x-correlation-id'])
  assert.equal(answer.headers.via, '1.1 gatehouse')
})

test('a valid incoming correlation id and traceparent are propagated; an invalid traceparent is dropped', async () => {
  const traceparent = '00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01'
  const answer = await request('/api/t', { headers: { 'x-correlation-id': 'order-42', traceparent, tracestate: 'vendor=1' } })
  const headers = JSON.parse(answer.body).headers
  assert.equal(headers['x-correlation-id'], 'order-42')
  assert.equal(answer.headers['x-correlation-id'], 'order-42')
  assert.equal(headers.traceparent, traceparent)
  assert.equal(headers.tracestate, 'vendor=1')
  const invalid = JSON.parse((await request('/api/t', { headers: { traceparent: 'garbage', 'x-correlation-id': 'bad id with spaces' } })).body).headers
  assert.equal(invalid.traceparent, undefined)
  assert.notEqual(invalid['x-correlation-id'], 'bad id with spaces')
})

test('SMUG-12: hop-by-hop headers and those named in Connection are not forwarded, gateway headers still are', async () => {
  const raw = await rawExchange(gw.port, 'GET /api/conn-check HTTP/1.1\r\nHost: a\r\nConnection: keep-alive, X-Forwarded-For, Authorization, x-drop-me\r\nX-Drop-Me: 1\r\nAuthorization: Bearer t\r\nKeep-Alive: timeout=5\r\nTE: trailers\r\nProxy-Authorization: Basic eA==\r\nUpgrade: h2c\r\nX-Keep: yes\r\n\r\n')
  const body = JSON.parse(raw.slice(raw.indexOf('\r\n\r\n') + 4))
  for (const name of ['x-drop-me', 'authorization', 'keep-alive', 'te', 'proxy-authorization', 'upgrade']) assert.equal(body.headers[name], undefined, name)
  assert.equal(body.headers['x-keep'], 'yes')
  assert.equal(body.headers['x-forwarded-for'], '127.0.0.1')
})

test('hop-by-hop response headers are removed before the client sees them', async () => {
  const answer = await request('/hop')
  assert.equal(answer.status, 200)
  assert.equal(answer.headers['x-internal'], undefined)
  assert.equal(answer.headers['keep-alive'], undefined)
  assert.equal(answer.body, 'ok')
})

test('HEAD gets the headers and no body', async () => {
  const answer = await request('/api/head', { method: 'HEAD' })
  assert.equal(answer.status, 200)
  assert.equal(answer.body, '')
  assert.ok(Number(answer.headers['content-length']) > 0)
})

test('chunked request bodies and response trailers pass through', async () => {
  const raw = await rawExchange(gw.port, 'POST /api/chunked HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\nConnection: close\r\n\r\n5\r\nhello\r\n6\r\n world\r\n0\r\n\r\n')
  assert.match(raw, /^HTTP\/1\.1 200 /)
  assert.equal(upstream.seen.at(-1)?.body.toString(), 'hello world')
  const answer = await request('/trailers', { headers: { te: 'trailers' } })
  assert.equal(answer.body, 'part one, part two')
  assert.equal(answer.trailers['x-checksum'], 'abc123')
})

test('Expect: 100-continue gets 100 before the body is sent', async () => {
  const raw = await new Promise<string>((resolve, reject) => {
    const socket = new net.Socket()
    let data = ''
    socket.connect(gw.port, '127.0.0.1', () => socket.write('POST /api/expect HTTP/1.1\r\nHost: a\r\nContent-Length: 4\r\nExpect: 100-continue\r\nConnection: close\r\n\r\n'))
    socket.on('data', (chunk: Buffer) => {
      data += chunk.toString()
      if (data.startsWith('HTTP/1.1 100') && !data.includes('\r\n\r\nHTTP')) socket.write('ping')
    })
    socket.on('end', () => resolve(data))
    socket.on('error', reject)
  })
  assert.match(raw, /^HTTP\/1\.1 100 Continue\r\n\r\nHTTP\/1\.1 200 /)
  assert.equal(JSON.parse(raw.slice(raw.lastIndexOf('\r\n\r\n') + 4)).body, 'ping')
})

test('an unsupported Expect value gets 417 with a problem document', async () => {
  const answer = await request('/api/x', { headers: { expect: 'magic' } })
  assert.equal(answer.status, 417)
  assert.equal(JSON.parse(answer.body).code, 'GH_ERR_EXPECTATION_FAILED')
})

test('404 problem document for an unrouted request', async () => {
  const solo = await startGateway(`
upstreams: { b: { targets: ['${upstream.url}'] } }
routes: [{ paths: [/only], upstream: b }]
`)
  try {
    const answer = await new Promise<Answer>((resolve, reject) => {
      http.get({ host: '127.0.0.1', port: solo.port, path: '/nothing', agent: false }, (res) => {
        let body = ''
        res.on('data', (chunk) => (body += chunk))
        res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body, trailers: {} }))
      }).on('error', reject)
    })
    assert.equal(answer.status, 404)
    assert.equal(answer.headers['content-type'], 'application/problem+json')
    const problem = JSON.parse(answer.body)
    assert.equal(problem.code, 'GH_ERR_ROUTE_NOT_FOUND')
    assert.equal(problem.status, 404)
    assert.equal(problem.instance, answer.headers['x-correlation-id'])
  } finally {
    await solo.stop()
  }
})
