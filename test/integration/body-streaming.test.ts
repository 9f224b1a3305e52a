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

test('a 100 MB chunked request body streams through with bounded memory', async () => {
  assert.equal(typeof global.gc, 'function', 'the test command runs node with --expose-gc')
  const baseline = liveRss()
  const meter = peakRss()
  const answer = await new Promise<string>((resolve, reject) => {
    const req = http.request({ host: '127.0.0.1', port: gw.port, path: '/upload', method: 'POST', agent: false }, (res) => {
      let text = ''
      res.on('data', (chunk) => (text += chunk))
      res.on('end', () => resolve(text))
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
  const growth = meter.stop() - baseline
  assert.equal(Number(answer), TOTAL, 'upstream received every byte')
  assert.ok(growth < 48 * MB, `RSS grew by ${(growth / MB).toFixed(1)} MB while 100 MB passed through`)
})

test('a 100 MB response body streams back with bounded memory', async () => {
  const baseline = liveRss()
  const meter = peakRss()
  const received = await new Promise<number>((resolve, reject) => {
    http.get({ host: '127.0.0.1', port: gw.port, path: '/download', agent: false }, (res) => {
      let count = 0
      res.on('data', (chunk: Buffer) => (count += chunk.length))
      res.on('end', () => resolve(count))
    }).on('error', reject)
  })
  const growth = meter.stop() - baseline
  assert.equal(received, TOTAL)
  assert.ok(growth < 48 * MB, `RSS grew by ${(growth / MB).toFixed(1)} MB while 100 MB passed through`)
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
