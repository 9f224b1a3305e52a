import { test, after, before } from 'node:test'
import assert from 'node:assert/strict'
import http from 'node:http'
import { startGateway, type TestGateway } from '../helpers/gateway.ts'
import { startUpstream, type TestUpstream } from '../helpers/servers.ts'
import { rawResponses } from '../helpers/raw-responses.ts'

const COUNT = 200

// Later requests are answered sooner by the upstream, so responses finish out of order there:
// the gateway must still write them back in request order (RFC 9112 §9.3.2).
let upstream: TestUpstream
let gw: TestGateway

before(async () => {
  upstream = await startUpstream((req, res) => {
    const index = Number(/\/seq\/(\d+)/.exec(req.url ?? '')?.[1] ?? 0)
    const payload = JSON.stringify({ url: req.url, index })
    setTimeout(() => {
      res.writeHead(200, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(payload) })
      res.end(payload)
    }, (COUNT - index) % 20)
  })
  gw = await startGateway(`
upstreams: { backend: { targets: ['${upstream.url}'] } }
routes: [{ paths: [/], upstream: backend }]
`)
})

after(async () => {
  await gw.stop()
  await upstream.close()
})

test('LOAD-09: 200 pipelined requests on one socket get 200 correct responses, in order', async () => {
  let payload = ''
  for (let i = 0; i < COUNT; i++) payload += `GET /seq/${i}?q=${i} HTTP/1.1\r\nHost: a\r\nX-Index: ${i}\r\n\r\n`
  // Another client on its own connection meanwhile must not wait behind the pipeline.
  const other = new Promise<{ status: number; ms: number }>((resolve, reject) => {
    const started = performance.now()
    http.get({ host: '127.0.0.1', port: gw.port, path: '/other', agent: false }, (res) => {
      res.resume()
      res.on('end', () => resolve({ status: res.statusCode ?? 0, ms: performance.now() - started }))
    }).on('error', reject)
  })
  const result = await rawResponses(gw.port, payload, COUNT, 20_000)
  assert.equal(result.responses.length, COUNT, `got ${result.responses.length} responses (closed: ${result.closed})`)
  result.responses.forEach((response, i) => {
    assert.equal(response.status, 200, `response ${i}`)
    assert.deepEqual(JSON.parse(response.body), { url: `/seq/${i}?q=${i}`, index: i }, `response ${i} answers request ${i}`)
  })
  assert.equal(upstream.seen.filter((seen) => seen.url.startsWith('/seq/')).length, COUNT, 'each request forwarded exactly once')
  const answer = await other
  assert.equal(answer.status, 200)
  assert.ok(answer.ms < 1000, `the other client waited ${answer.ms.toFixed(0)} ms`)
})
