// `workers: 2` started through the CLI: workers share the listener, the primary sums their metrics,
// reloads reach every worker, and SIGTERM leaves no process behind.
import { test, after, before } from 'node:test'
import assert from 'node:assert/strict'
import http from 'node:http'
import { childPids, eventually, isRunning, killQuietly, runCli, startCliGateway, type CliGateway } from '../helpers/cli.ts'
import { httpRequest } from '../helpers/http-client.ts'
import { startUpstream, type TestUpstream } from '../helpers/servers.ts'

const REQUESTS = 200
const CONNECTIONS = 8

let blue: TestUpstream
let green: TestUpstream
let gw: CliGateway
let workerPids: number[] = []

const routeTo = (upstream: TestUpstream): string => `
upstreams: { app: { targets: ['${upstream.url}'] } }
routes:
  - { name: app, paths: [/], upstream: app }
`

before(async () => {
  blue = await startUpstream((_req, res) => res.end('blue'))
  // `/slow` stays in flight long enough to be caught by a shutdown.
  green = await startUpstream((req, res) => (req.url === '/slow' ? setTimeout(() => res.end('green, slowly'), 600) : res.end('green')))
  gw = await startCliGateway(routeTo(blue), { head: 'workers: 2', readyTimeoutMs: 15_000 })
  workerPids = childPids(gw.child.pid as number)
})

after(async () => {
  for (const pid of workerPids) killQuietly(pid)
  await gw?.cleanup()
  await blue?.close()
  await green?.close()
})

/** `count` GETs spread over `connections` keep-alive sockets; returns the bodies by status. */
async function load(count: number, connections: number): Promise<Map<number, string[]>> {
  const agent = new http.Agent({ keepAlive: true, maxSockets: connections })
  const outcomes = new Map<number, string[]>()
  try {
    const queue = Array.from({ length: count }, (_, i) => i)
    await Promise.all(Array.from({ length: connections }, async () => {
      while (queue.shift() !== undefined) {
        const answer = await httpRequest(`http://127.0.0.1:${gw.port}/load`, { agent }).catch((error: Error) => ({ status: 0, body: error.message }))
        outcomes.set(answer.status, [...(outcomes.get(answer.status) ?? []), answer.body])
      }
    }))
  } finally {
    agent.destroy()
  }
  return outcomes
}

async function requestsTotal(): Promise<number> {
  const answer = await httpRequest(`http://127.0.0.1:${gw.adminPort}/metrics`)
  assert.equal(answer.status, 200)
  const sample = answer.body.match(/^gatehouse_requests_total\{[^}]*route="app"[^}]*status="200"[^}]*\} (\d+)$/m)
  return sample === null ? 0 : Number(sample[1])
}

test('two workers run under the primary', () => {
  assert.equal(workerPids.length, 2, `children of the primary: ${workerPids.join(', ')}`)
  for (const pid of workerPids) assert.ok(isRunning(pid))
})

test('200 requests over 8 connections are all answered 200', async () => {
  const outcomes = await load(REQUESTS, CONNECTIONS)
  assert.deepEqual([...outcomes.keys()], [200], JSON.stringify(Object.fromEntries([...outcomes].map(([status, bodies]) => [status, bodies.slice(0, 3)]))))
  assert.equal(outcomes.get(200)?.length, REQUESTS)
  assert.ok(outcomes.get(200)?.every((body) => body === 'blue'))
})

test('admin /metrics on the primary sums gatehouse_requests_total over both workers', async () => {
  // Each worker counts a request when its response has ended; the last ones may land a moment later.
  let total = 0
  await eventually(async () => (total = await requestsTotal()) === REQUESTS, 3000)
  assert.equal(total, REQUESTS)
})

test('CFG-02: gatehouse reload reaches every worker; a broken file reaches none', async () => {
  await gw.rewrite(routeTo(green))
  const reloaded = await runCli(['reload', '--config', gw.configFile])
  assert.equal(reloaded.code, 0, reloaded.stderr)
  // Fresh connections are spread over both workers, so a worker left on the old config shows up.
  const after = await load(40, 40)
  assert.deepEqual([...after.keys()], [200])
  assert.deepEqual([...new Set(after.get(200))], ['green'])

  await gw.rewrite(`${routeTo(blue)}bogus: true\n`)
  const broken = await runCli(['reload', '--config', gw.configFile])
  assert.equal(broken.code, 1)
  assert.match(broken.stderr, /gatehouse\.yaml:\d+:1 bogus: unknown field "bogus".*\(GH_ERR_CONFIG_UNKNOWN_FIELD\)/)
  const still = await load(20, 20)
  assert.deepEqual([...new Set(still.get(200))], ['green'])
})

test('LOAD-10: SIGTERM drains the request in flight, exits 0 and leaves no worker running', async () => {
  const inFlight = httpRequest(`http://127.0.0.1:${gw.port}/slow`)
  await new Promise((resolve) => setTimeout(resolve, 150))
  gw.child.kill('SIGTERM')
  assert.deepEqual(await inFlight.then((answer) => [answer.status, answer.body]), [200, 'green, slowly'])
  assert.equal(await gw.exited, 0, gw.output().stderr + gw.output().stdout)
  assert.ok(await eventually(async () => workerPids.every((pid) => !isRunning(pid)), 3000), `workers still running: ${workerPids.filter(isRunning).join(', ')}`)
})
