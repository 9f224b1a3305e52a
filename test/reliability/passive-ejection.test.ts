import { test, after, before } from 'node:test'
import assert from 'node:assert/strict'
import http from 'node:http'
import { startGateway, type TestGateway } from '../helpers/gateway.ts'
import { startUpstream, type TestUpstream } from '../helpers/servers.ts'

const FAILURES = 3
const EJECT_MS = 2500

let healthyA: TestUpstream
let healthyB: TestUpstream
let failing: TestUpstream
let gw: TestGateway

before(async () => {
  healthyA = await startUpstream()
  healthyB = await startUpstream()
  failing = await startUpstream((_req, res) => {
    res.writeHead(503, { 'content-length': '4' })
    res.end('down')
  })
  gw = await startGateway(`
upstreams:
  trio:
    targets: ['${healthyA.url}', '${failing.url}', '${healthyB.url}']
    healthCheck: { passive: { consecutiveFailures: ${FAILURES}, ejectMs: ${EJECT_MS} } }
routes: [{ paths: [/], upstream: trio }]
`)
})

after(async () => {
  await gw.stop()
  await healthyA.close()
  await healthyB.close()
  await failing.close()
})

const agent = new http.Agent({ keepAlive: true, maxSockets: 1 })

function get(): Promise<number> {
  return new Promise((resolve, reject) => {
    http.get({ host: '127.0.0.1', port: gw.port, path: '/x', agent }, (res) => {
      res.resume()
      res.on('end', () => resolve(res.statusCode ?? 0))
    }).on('error', reject)
  })
}

/** Sends `count` requests one after another; returns what each target received meanwhile. */
async function round(count: number): Promise<{ failing: number; healthy: number; clientSaw503: number }> {
  const before = { failing: failing.seen.length, healthy: healthyA.seen.length + healthyB.seen.length }
  let clientSaw503 = 0
  for (let i = 0; i < count; i++) if ((await get()) === 503) clientSaw503++
  return { failing: failing.seen.length - before.failing, healthy: healthyA.seen.length + healthyB.seen.length - before.healthy, clientSaw503 }
}

test('UPS-08: a target answering 503 is ejected after consecutiveFailures and gets no traffic during ejectMs', async () => {
  // Round-robin over three targets: the failing one gets every third request until ejected.
  const warmUp = await round(3 * FAILURES)
  assert.equal(warmUp.failing, FAILURES)
  assert.equal(warmUp.clientSaw503, FAILURES, 'a 503 status is passed on, not retried')

  const ejected = await round(30)
  assert.deepEqual(ejected, { failing: 0, healthy: 30, clientSaw503: 0 }, 'traffic shifted to the healthy targets')
  assert.ok(healthyA.seen.length > 10 && healthyB.seen.length > 10, 'both healthy targets share the load')
})

test('UPS-08: after ejectMs the target gets one probation request; failing it ejects it again at once', async () => {
  await new Promise((resolve) => setTimeout(resolve, EJECT_MS + 100))
  const probation = await round(12)
  assert.equal(probation.failing, 1, 'exactly one request tried the target on probation')
  assert.equal(probation.clientSaw503, 1)
  assert.equal(probation.healthy, 11)
})
