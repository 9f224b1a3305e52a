// The access log's bytesSent is the body bytes the client received, whoever wrote them: the
// upstream, a policy answering directly, or the gateway's own problem document. A HEAD, a 204 or a
// 304 carries no body, so it counts nothing even where a body was handed to node.
import assert from 'node:assert/strict'
import { readFile } from 'node:fs/promises'
import { join } from 'node:path'
import { setTimeout as sleep } from 'node:timers/promises'
import { after, before, describe, test } from 'node:test'
import type { PolicyDefinition } from '../../src/kit/policy.ts'
import { POLICIES } from '../../src/policies/index.ts'
import { startGatewayWithOptions } from '../helpers/gateway-with-options.ts'
import type { TestGateway } from '../helpers/gateway.ts'
import { httpRequest } from '../helpers/http-client.ts'
import { startUpstream, type TestUpstream } from '../helpers/servers.ts'

const UPSTREAM_BODY = 'seventeen bytes!\n'
const DIRECT_BODY = 'answered by the gateway: ünïcödé'

interface AnswerSettings { status: number }

// Answers every request itself, with DIRECT_BODY, as a mock or a cache would.
const answerPolicy: PolicyDefinition<AnswerSettings> = {
  name: 'answer',
  description: 'Answers from the gateway, for tests.',
  schema: { type: 'object', additionalProperties: false, properties: { status: { type: 'integer', default: 200 } } },
  create: (settings) => ({ onRequest: (ctx) => ctx.respond({ status: settings.status, headers: { 'content-type': 'text/plain; charset=utf-8' }, body: DIRECT_BODY }) }),
}

interface AccessLine { path: string; method: string; status: number; bytesSent: number }

describe('access log bytesSent', () => {
  let upstream: TestUpstream
  let gw: TestGateway

  before(async () => {
    upstream = await startUpstream((_req, res) => {
      res.writeHead(200, { 'content-type': 'text/plain', 'content-length': Buffer.byteLength(UPSTREAM_BODY) })
      res.end(UPSTREAM_BODY)
    })
    gw = await startGatewayWithOptions(`
observability: { accessLog: { enabled: true, destination: access.log }, metrics: false }
upstreams: { backend: { targets: ['${upstream.url}'] } }
routes:
  - { name: proxied, paths: [/proxied], upstream: backend }
  - { name: keyed, paths: [/keyed], upstream: backend, policies: { api-key: {} } }
  - { name: direct, paths: [/direct], upstream: backend, policies: { answer: { status: 200 } } }
  - { name: empty, paths: [/empty], upstream: backend, policies: { answer: { status: 204 } } }
`, { policies: { ...POLICIES, answer: answerPolicy as PolicyDefinition<unknown> } })
  })
  after(async () => {
    await gw.stop()
    await upstream.close()
  })

  async function linesFor(count: number): Promise<AccessLine[]> {
    for (let waited = 0; ; waited += 50) {
      const text = await readFile(join(gw.dir, 'access.log'), 'utf8').catch(() => '')
      const lines = text.split('\n').filter((line) => line !== '').map((line) => JSON.parse(line) as AccessLine)
      if (lines.length >= count || waited > 5000) return lines
      await sleep(50)
    }
  }

  test('counts the upstream body, a direct answer and a problem document as received; HEAD and 204 count nothing', async () => {
    const requests: Array<[string, string]> = [['GET', '/proxied'], ['HEAD', '/proxied'], ['GET', '/keyed'], ['HEAD', '/keyed'], ['GET', '/direct'], ['HEAD', '/direct'], ['GET', '/empty'], ['GET', '/nowhere']]
    const received: number[] = []
    for (const [method, path] of requests) {
      const answer = await httpRequest(gw.url + path, { method })
      received.push(Buffer.byteLength(answer.body))
    }
    assert.deepEqual(received.slice(0, 2), [Buffer.byteLength(UPSTREAM_BODY), 0])
    assert.ok(received[2] > 100, 'GET /keyed got its problem document')
    assert.equal(received[4], Buffer.byteLength(DIRECT_BODY), 'the direct answer, in UTF-8 bytes')
    assert.ok(received[7] > 100, 'the 404 got its problem document')

    const lines = await linesFor(requests.length)
    assert.deepEqual(lines.map((line) => [line.method, line.path, line.status]), [
      ['GET', '/proxied', 200], ['HEAD', '/proxied', 200], ['GET', '/keyed', 401], ['HEAD', '/keyed', 401],
      ['GET', '/direct', 200], ['HEAD', '/direct', 200], ['GET', '/empty', 204], ['GET', '/nowhere', 404],
    ])
    assert.deepEqual(lines.map((line) => line.bytesSent), received, 'bytesSent = body bytes the client received, line by line')
  })
})
