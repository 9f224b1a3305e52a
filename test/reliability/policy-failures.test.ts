import { test, after, before } from 'node:test'
import assert from 'node:assert/strict'
import type { PolicyDefinition, PolicyHandlers } from '../../src/kit/policy.ts'
import { POLICIES } from '../../src/policies/index.ts'
import { startGatewayWithOptions } from '../helpers/gateway-with-options.ts'
import type { TestGateway } from '../helpers/gateway.ts'
import { rawExchange, startUpstream, statusCodes, type TestUpstream } from '../helpers/servers.ts'

// A deliberately broken policy, registered beside the built-in ones. Its messages carry a marker
// that must never reach the client: a policy's own error text may hold internals.
const SECRET = 'db-password-hunter2'

interface BoomSettings {
  mode: 'throw' | 'reject' | 'throw-string' | 'throw-in-log'
}

const boomPolicy: PolicyDefinition<BoomSettings> = {
  name: 'boom',
  description: 'Fails on purpose, for tests.',
  schema: {
    type: 'object',
    additionalProperties: false,
    properties: { mode: { enum: ['throw', 'reject', 'throw-string', 'throw-in-log'], default: 'throw' } },
  },
  create(settings): PolicyHandlers {
    switch (settings.mode) {
      case 'throw':
        return { onRequest: () => { throw new Error(`connect failed: ${SECRET}`) } }
      case 'reject':
        return { authorize: async () => { await new Promise((resolve) => setTimeout(resolve, 10)); throw new Error(`lookup failed: ${SECRET}`) } }
      case 'throw-string':
        // Not an Error object: a policy may throw anything.
        return { limit: () => { throw SECRET } }
      case 'throw-in-log':
        return { onLog: () => { throw new Error(SECRET) } }
    }
  },
}

let upstream: TestUpstream
let gw: TestGateway
const escaped: unknown[] = []
const onEscaped = (error: unknown): void => void escaped.push(error)

before(async () => {
  process.on('uncaughtException', onEscaped)
  process.on('unhandledRejection', onEscaped)
  upstream = await startUpstream()
  gw = await startGatewayWithOptions(`
upstreams: { backend: { targets: ['${upstream.url}'] } }
routes:
  - { name: throws, paths: [/throw], upstream: backend, policies: { boom: { mode: throw } } }
  - { name: rejects, paths: [/reject], upstream: backend, policies: { boom: { mode: reject } } }
  - { name: throws-string, paths: [/string], upstream: backend, policies: { boom: { mode: throw-string } } }
  - { name: throws-in-log, paths: [/log], upstream: backend, policies: { boom: { mode: throw-in-log } } }
  - { name: fine, paths: [/fine], upstream: backend }
`, { policies: { ...POLICIES, boom: boomPolicy as PolicyDefinition<unknown> } })
})

after(async () => {
  await gw.stop()
  await upstream.close()
  process.off('uncaughtException', onEscaped)
  process.off('unhandledRejection', onEscaped)
})

async function send(path: string): Promise<{ status: number; body: string }> {
  const raw = await rawExchange(gw.port, `GET ${path} HTTP/1.1\r\nHost: a\r\nConnection: close\r\n\r\n`)
  const statuses = statusCodes(raw)
  assert.equal(statuses.length, 1, `${path}: one response`)
  return { status: statuses[0], body: raw.slice(raw.indexOf('\r\n\r\n') + 4) }
}

for (const [path, phase] of [['/throw', 'onRequest'], ['/reject', 'authorize'], ['/string', 'limit']]) {
  test(`a policy that fails in ${phase} (${path}) gives 500 GH_ERR_POLICY_FAILED naming it; nothing forwarded; the next request is fine`, async () => {
    const before = upstream.seen.length
    const answer = await send(path)
    assert.equal(answer.status, 500)
    const problem = JSON.parse(answer.body)
    assert.equal(problem.code, 'GH_ERR_POLICY_FAILED')
    assert.match(problem.detail, new RegExp(`policy "boom" failed in phase ${phase}`))
    assert.ok(!answer.body.includes(SECRET), 'the policy\'s own message stays inside the gateway')
    assert.equal(upstream.seen.length, before, 'nothing forwarded')
    assert.equal((await send('/fine')).status, 200)
    assert.deepEqual(escaped, [], 'no uncaught exception or unhandled rejection')
  })
}

test('an onLog handler that throws does not affect the response or the process', async () => {
  assert.equal((await send('/log')).status, 200)
  await new Promise((resolve) => setTimeout(resolve, 50))
  assert.equal((await send('/fine')).status, 200)
  assert.deepEqual(escaped, [])
})

test('many failing requests in a row leave the gateway healthy', async () => {
  const answers = await Promise.all(Array.from({ length: 50 }, (_, i) => send(i % 2 === 0 ? '/throw' : '/reject')))
  assert.ok(answers.every((answer) => answer.status === 500))
  assert.equal((await send('/fine')).status, 200)
  assert.deepEqual(escaped, [])
})
