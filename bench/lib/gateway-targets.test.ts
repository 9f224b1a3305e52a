import assert from 'node:assert/strict'
import http from 'node:http'
import type { AddressInfo } from 'node:net'
import { test } from 'node:test'
import type { BenchUpstream } from './bench-upstream.ts'
import { BenchError } from './errors.ts'
import { expectUpstreamBody, prepareGatewayTargets, requestLine } from './gateway-targets.ts'

/** A real upstream on an ephemeral port: `/ok` answers the bench body, anything else 404. */
async function withUpstream(run: (upstream: BenchUpstream) => Promise<void>): Promise<void> {
  const server = http.createServer((req, res) => {
    req.resume()
    res.writeHead(req.url === '/ok' ? 200 : 404, { 'content-type': 'application/json' }).end(req.url === '/ok' ? '{"ok":1}' : 'nope')
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const { port } = server.address() as AddressInfo
  try {
    await run({ kind: 'node', origin: `http://127.0.0.1:${port}`, port, path: '/ok', body: '{"ok":1}' })
  } finally {
    await new Promise((resolve) => server.close(resolve))
  }
}

test('the upstream\'s answer is checked to the byte, and a wrong one named with its request', async () => {
  await withUpstream(async (upstream) => {
    await expectUpstreamBody('direct', `${upstream.origin}/ok`, {}, upstream)
    await expectUpstreamBody('direct POST', `${upstream.origin}/ok`, { method: 'POST', body: '{}' }, upstream)
    await assert.rejects(expectUpstreamBody('row', `${upstream.origin}/other`, { method: 'POST' }, upstream), /^Error: row: POST http:\/\/127\.0\.0\.1:\d+\/other answered 404 "nope", expected 200 "\{\\"ok\\":1\}"$/)
  })
  assert.equal(requestLine('http://h/p', {}), 'GET http://h/p')
})

const plan = (names: string[], options: { upstreamFails?: boolean; gatewayFails?: boolean; badRow?: string } = {}) => ({
  names,
  direct: { name: 'direct', url: 'http://127.0.0.1:1/ok' },
  checkUpstream: () => (options.upstreamFails === true ? Promise.reject(new Error('GET /ok answered 500')) : Promise.resolve()),
  startGateway: () => (options.gatewayFails === true ? Promise.reject(new Error('bin/gatehouse.js does not exist yet')) : Promise.resolve({ origin: 'http://127.0.0.1:2' })),
  gatewayTarget: async (name: string, gateway: { origin: string }) => {
    if (name === options.badRow) throw new Error(`${name}: the policy is not in force`)
    return { name, url: `${gateway.origin}/${name}` }
  },
})

test('the rows: direct first, then the gateway\'s in the order asked for; a failing row is skipped alone', async () => {
  const log: string[] = []
  const prepared = await prepareGatewayTargets(plan(['direct', 'a', 'b', 'c'], { badRow: 'b' }), (line) => log.push(line))
  assert.deepEqual(prepared.targets.map((t) => [t.name, t.url]), [['direct', 'http://127.0.0.1:1/ok'], ['a', 'http://127.0.0.1:2/a'], ['c', 'http://127.0.0.1:2/c']])
  assert.deepEqual(prepared.skipped, { b: 'b: the policy is not in force' })
  assert.deepEqual(log, ['skipping b: b: the policy is not in force'])
  const withoutDirect = await prepareGatewayTargets(plan(['a']), () => {})
  assert.deepEqual(withoutDirect.targets.map((t) => t.name), ['a'])
})

test('a gateway that does not start skips all its rows; an upstream that answers wrongly ends the run', async () => {
  const log: string[] = []
  const prepared = await prepareGatewayTargets(plan(['direct', 'a', 'b'], { gatewayFails: true }), (line) => log.push(line))
  assert.deepEqual(prepared.targets.map((t) => t.name), ['direct'])
  assert.deepEqual(prepared.skipped, { a: 'bin/gatehouse.js does not exist yet', b: 'bin/gatehouse.js does not exist yet' })
  assert.deepEqual(log, ['skipping a, b: bin/gatehouse.js does not exist yet'])
  await assert.rejects(prepareGatewayTargets(plan(['a'], { upstreamFails: true }), () => {}), (error: unknown) => error instanceof BenchError && error.message === 'the upstream does not answer correctly: GET /ok answered 500')
})
