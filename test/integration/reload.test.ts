import { test, after, before } from 'node:test'
import assert from 'node:assert/strict'
import http from 'node:http'
import { startGateway, type TestGateway } from '../helpers/gateway.ts'
import { startUpstream, type TestUpstream } from '../helpers/servers.ts'
import { ConfigError } from '../../src/config/issues.ts'

let blue: TestUpstream
let green: TestUpstream
let gw: TestGateway

const configFor = (upstream: TestUpstream): string => `
upstreams: { app: { targets: ['${upstream.url}'] } }
routes: [{ name: app, paths: [/], upstream: app }]
`

before(async () => {
  blue = await startUpstream((_req, res) => res.end('blue'))
  green = await startUpstream((_req, res) => res.end('green'))
  gw = await startGateway(configFor(blue))
})

after(async () => {
  await gw.stop()
  await blue.close()
  await green.close()
})

const agent = new http.Agent({ keepAlive: true, maxSockets: 8 })

function get(): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    http.get({ host: '127.0.0.1', port: gw.port, path: '/', agent }, (res) => {
      let body = ''
      res.on('data', (chunk) => (body += chunk))
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body }))
    }).on('error', reject)
  })
}

test('CFG-02: reloads under load fail no request; new requests use the new config', async () => {
  let running = true
  const outcomes: Array<{ status: number; body: string } | Error> = []
  const loops = Array.from({ length: 8 }, async () => {
    while (running) outcomes.push(await get().catch((error: Error) => error))
  })
  for (let i = 0; i < 6; i++) {
    await new Promise((resolve) => setTimeout(resolve, 100))
    await gw.rewrite(configFor(i % 2 === 0 ? green : blue))
    const result = await gw.gateway.reload()
    assert.equal(result.ok, true)
  }
  await new Promise((resolve) => setTimeout(resolve, 100))
  running = false
  await Promise.all(loops)
  const failures = outcomes.filter((outcome) => outcome instanceof Error || outcome.status !== 200)
  assert.ok(outcomes.length > 200, `only ${outcomes.length} requests ran`)
  assert.equal(failures.length, 0, `failed: ${JSON.stringify(failures.slice(0, 3))}`)
  assert.equal(gw.gateway.version, 7)
  assert.equal((await get()).body, 'blue')
})

test('CFG-02: a bad file is refused with its errors and the previous config keeps serving', async () => {
  await gw.rewrite(configFor(green))
  assert.equal((await gw.gateway.reload()).ok, true)
  const version = gw.gateway.version
  await gw.rewrite(`upstreams: { app: { targets: ['${blue.url}'] } }\nroutes:\n  - name: app\n    paths: [/]\n    upstream: app\n    rate_limt: 5\n`)
  const result = await gw.gateway.reload()
  assert.equal(result.ok, false)
  if (result.ok) return
  assert.ok(result.error instanceof ConfigError)
  const issue = result.error.issues.find((candidate) => candidate.code === 'GH_ERR_CONFIG_UNKNOWN_FIELD')
  assert.ok(issue, 'unknown field reported')
  assert.equal(typeof issue.line, 'number')
  assert.equal(gw.gateway.version, version)
  assert.deepEqual(await get(), { status: 200, body: 'green' })
  await gw.rewrite('routes: [oops')
  assert.equal((await gw.gateway.reload()).ok, false)
  assert.deepEqual(await get(), { status: 200, body: 'green' })
})
