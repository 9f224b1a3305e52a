import { test, after, before } from 'node:test'
import assert from 'node:assert/strict'
import http from 'node:http'
import type { AddressInfo } from 'node:net'
import { liveRss } from '../helpers/memory.ts'
import { startGateway, type TestGateway } from '../helpers/gateway.ts'

const MB = 1024 * 1024
const TOTAL = 100 * MB
const CHUNK = Buffer.alloc(64 * 1024, 0x62)
const STALL_MS = 1500

// The upstream streams 100 MB with chunked framing (no length known up front) and counts how much
// it managed to hand to its socket: with backpressure working end to end, a client that stops
// reading stops the upstream too, instead of the gateway buffering the rest.
let upstream: http.Server
let written = 0
let gw: TestGateway

before(async () => {
  upstream = http.createServer((_req, res) => {
    res.writeHead(200, { 'content-type': 'application/octet-stream' })
    written = 0
    const pump = (): void => {
      while (written < TOTAL) {
        written += CHUNK.length
        if (!res.write(CHUNK)) return void res.once('drain', pump)
      }
      res.end()
    }
    pump()
  })
  await new Promise<void>((resolve) => upstream.listen(0, '127.0.0.1', () => resolve()))
  gw = await startGateway(`
upstreams: { big: { targets: ['http://127.0.0.1:${(upstream.address() as AddressInfo).port}'] } }
routes: [{ paths: [/], upstream: big }]
`)
})

after(async () => {
  await gw.stop()
  await new Promise<void>((resolve) => upstream.close(() => resolve()))
})

test('UPS-10: a 100 MB chunked response on a pass-through route streams with flat memory, even to a client that stalls', async () => {
  assert.equal(typeof global.gc, 'function', 'the test command runs node with --expose-gc')
  const baseline = liveRss()
  let peak = baseline
  const sampler = setInterval(() => (peak = Math.max(peak, liveRss())), 50)
  let writtenDuringStall = 0
  const received = await new Promise<{ bytes: number; chunked: boolean }>((resolve, reject) => {
    http.get({ host: '127.0.0.1', port: gw.port, path: '/download', agent: false }, (res) => {
      let bytes = 0
      res.pause()
      setTimeout(() => {
        writtenDuringStall = written
        res.on('data', (chunk: Buffer) => (bytes += chunk.length))
        res.on('end', () => resolve({ bytes, chunked: res.headers['transfer-encoding'] === 'chunked' }))
        res.resume()
      }, STALL_MS)
    }).on('error', reject)
  })
  clearInterval(sampler)
  const growth = Math.max(peak, liveRss()) - baseline
  assert.equal(received.bytes, TOTAL, 'every byte arrived')
  assert.equal(received.chunked, true, 'streamed with chunked framing, not buffered to learn its length')
  assert.ok(writtenDuringStall < 32 * MB, `the upstream wrote ${(writtenDuringStall / MB).toFixed(1)} MB while the client read nothing`)
  // Buffering the body would cost at least its 100 MB; streaming costs socket buffers and
  // allocator slack, measured at 25-35 MB for gateway, upstream and client together.
  assert.ok(growth < 64 * MB, `RSS grew by ${(growth / MB).toFixed(1)} MB while 100 MB passed through`)
})
