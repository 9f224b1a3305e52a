import { test, after, before } from 'node:test'
import assert from 'node:assert/strict'
import http from 'node:http'
import type { AddressInfo } from 'node:net'
import { startGateway, type TestGateway } from '../helpers/gateway.ts'
import { liveRss, peakRss } from '../helpers/memory.ts'

const MB = 1024 * 1024
const TOTAL = 100 * MB
const CHUNK = Buffer.alloc(64 * 1024, 0x61)

let upstream: http.Server
let gw: TestGateway

before(async () => {
  upstream = http.createServer((req, res) => {
    if (req.method === 'GET') {
      // Streams 100 MB out, respecting backpressure.
      res.writeHead(200, { 'content-length': TOTAL })
      let sent = 0
      const pump = (): void => {
        while (sent < TOTAL) {
          sent += CHUNK.length
          if (!res.write(CHUNK)) return void res.once('drain', pump)
        }
        res.end()
      }
      pump()
      return
    }
    let received = 0
    req.on('data', (chunk: Buffer) => (received += chunk.length))
    req.on('end', () => res.end(String(received)))
  })
  await new Promise<void>((resolve) => upstream.listen(0, '127.0.0.1', () => resolve()))
  gw = await startGateway(`
limits: { maxBodySize: 209715200 }
upstreams: { sink: { targets: ['http://127.0.0.1:${(upstream.address() as AddressInfo).port}'] } }
routes: [{ paths: [/], upstream: sink }]
`)
})

after(async () => {
  await gw.stop()
  await new Promise<void>((resolve) => upstream.close(() => resolve()))
})

/** Sends TOTAL bytes as a chunked POST to `port`; resolves with the byte count the upstream reports. */
function upload(port: number): Promise<number> {
  return new Promise<number>((resolve, reject) => {
    const req = http.request({ host: '127.0.0.1', port, path: '/upload', method: 'POST', agent: false }, (res) => {
      let text = ''
      res.on('data', (chunk) => (text += chunk))
      res.on('end', () => resolve(Number(text)))
    })
    req.on('error', reject)
    let sent = 0
    const pump = (): void => {
      while (sent < TOTAL) {
        sent += CHUNK.length
        if (!req.write(CHUNK)) return void req.once('drain', pump)
      }
      req.end()
    }
    pump()
  })
}

/** GETs TOTAL bytes from `port`; resolves with the byte count received. */
function download(port: number): Promise<number> {
  return new Promise<number>((resolve, reject) => {
    http.get({ host: '127.0.0.1', port, path: '/download', agent: false }, (res) => {
      let count = 0
      res.on('data', (chunk: Buffer) => (count += chunk.length))
      res.on('end', () => resolve(count))
    }).on('error', reject)
  })
}

/** Peak growth of live RSS while `transfer` runs, and what it resolved with. */
async function measured(transfer: () => Promise<number>): Promise<{ growth: number; bytes: number }> {
  const baseline = liveRss()
  const meter = peakRss()
  const bytes = await transfer()
  return { growth: meter.stop() - baseline, bytes }
}

// The client, the gateway and the upstream share this process, and node's own socket reads leave
// buffers that the allocator and V8 return lazily: the same 100 MB sent straight to the upstream
// already grows RSS by 20-35 MB on a fast machine. So the bound is on what the gateway adds to
// that: a gateway holding the body would add its full 100 MB.
const GATEWAY_BOUND = 48 * MB

test('a 100 MB chunked request body streams through with bounded memory', async () => {
  assert.equal(typeof global.gc, 'function', 'the test command runs node with --expose-gc')
  const upstreamPort = (upstream.address() as AddressInfo).port
  const direct = await measured(() => upload(upstreamPort))
  const through = await measured(() => upload(gw.port))
  assert.equal(direct.bytes, TOTAL)
  assert.equal(through.bytes, TOTAL, 'upstream received every byte')
  const added = through.growth - direct.growth
  assert.ok(added < GATEWAY_BOUND, `RSS grew by ${(through.growth / MB).toFixed(1)} MB through the gateway, ${(added / MB).toFixed(1)} MB more than direct`)
})

test('a 100 MB response body streams back with bounded memory', async () => {
  const upstreamPort = (upstream.address() as AddressInfo).port
  const direct = await measured(() => download(upstreamPort))
  const through = await measured(() => download(gw.port))
  assert.equal(direct.bytes, TOTAL)
  assert.equal(through.bytes, TOTAL)
  const added = through.growth - direct.growth
  assert.ok(added < GATEWAY_BOUND, `RSS grew by ${(through.growth / MB).toFixed(1)} MB through the gateway, ${(added / MB).toFixed(1)} MB more than direct`)
})

test('a streamed body crossing the limit gets 413 and the upstream request is aborted', async () => {
  const small = await startGateway(`
limits: { maxBodySize: 1048576 }
upstreams: { sink: { targets: ['http://127.0.0.1:${(upstream.address() as AddressInfo).port}'] } }
routes: [{ paths: [/], upstream: sink }]
`)
  try {
    const status = await new Promise<number>((resolve, reject) => {
      const req = http.request({ host: '127.0.0.1', port: small.port, path: '/upload', method: 'POST', agent: false }, (res) => {
        res.resume()
        resolve(res.statusCode ?? 0)
      })
      req.on('error', (error: NodeJS.ErrnoException) => (error.code === 'EPIPE' || error.code === 'ECONNRESET' ? undefined : reject(error)))
      for (let i = 0; i < 32; i++) req.write(CHUNK) // 2 MiB, chunked
      req.end()
    })
    assert.equal(status, 413)
  } finally {
    await small.stop()
  }
})
