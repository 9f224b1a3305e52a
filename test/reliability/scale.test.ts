// LOAD-07: a config with 10,000 routes and 100,000 consumers loads and routes correctly. How long
// it takes to load, and how routing time compares with 10 routes, is measured by
// bench/micro/routing-scale.ts (timings belong in benchmarks, not in tests).
import assert from 'node:assert/strict'
import http from 'node:http'
import type { AddressInfo } from 'node:net'
import { after, before, test } from 'node:test'
import { startGateway, type TestGateway } from '../helpers/gateway.ts'
import { scaleApiKey, scaleConfigYaml } from '../helpers/scale-config.ts'

const ROUTES = 10_000
const CONSUMERS = 100_000

let upstream: http.Server
let gw: TestGateway

before(async () => {
  // Answers with what it received, so a test can see which route and consumer a request reached.
  upstream = http.createServer((req, res) => {
    res.setHeader('content-type', 'application/json')
    res.end(JSON.stringify({ url: req.url, consumer: req.headers['x-consumer-id'] ?? null }))
  })
  await new Promise<void>((resolve) => upstream.listen(0, '127.0.0.1', () => resolve()))
  const upstreamUrl = `http://127.0.0.1:${(upstream.address() as AddressInfo).port}`
  gw = await startGateway(scaleConfigYaml({ routes: ROUTES, consumers: CONSUMERS, upstreamUrl }))
})

after(async () => {
  await gw?.stop()
  await new Promise<void>((resolve) => upstream.close(() => resolve()))
})

async function get(path: string, headers: Record<string, string> = {}): Promise<{ status: number; body: string }> {
  const response = await fetch(gw.url + path, { headers })
  return { status: response.status, body: await response.text() }
}

test(`LOAD-07: with ${ROUTES} routes, requests reach the first, a middle and the last route with their parameters`, async () => {
  for (const i of [1, 4_321, ROUTES - 1]) {
    const answer = await get(`/svc${i}/items/${i * 7}`)
    assert.equal(answer.status, 200, answer.body)
    assert.deepEqual(JSON.parse(answer.body), { url: `/svc${i}/items/${i * 7}`, consumer: null })
  }
  const unknown = await get(`/svc${ROUTES}/items/1`)
  assert.equal(unknown.status, 404)
  assert.match(unknown.body, /GH_ERR_ROUTE_NOT_FOUND/)
})

test(`LOAD-07: with ${CONSUMERS} consumers, the first and the last consumer's keys are recognised and an unknown key is refused`, async () => {
  for (const i of [0, CONSUMERS - 1]) {
    const answer = await get('/svc9990/items/1', { 'x-api-key': scaleApiKey(i) })
    assert.equal(answer.status, 200, answer.body)
    assert.deepEqual(JSON.parse(answer.body), { url: '/svc9990/items/1', consumer: `c${i}` })
  }
  const refused = await get('/svc9990/items/1', { 'x-api-key': scaleApiKey(CONSUMERS) })
  assert.equal(refused.status, 401)
  assert.equal(JSON.parse(refused.body).code, 'GH_ERR_AUTH_KEY_INVALID')
})
