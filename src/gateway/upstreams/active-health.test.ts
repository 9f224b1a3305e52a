import assert from 'node:assert/strict'
import { once } from 'node:events'
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http'
import type { AddressInfo } from 'node:net'
import { after, describe, it } from 'node:test'
import type { ActiveHealthCheckConfig, UpstreamConfig } from '../../config/types.ts'
import { TargetSet } from './target-set.ts'

interface TestServer {
  url: string
  /** Requests received, with the time each arrived. */
  requests: Array<{ at: number; method: string; url: string; host: string | undefined; connection: string | undefined }>
  server: Server
  openSockets: () => number
}

const servers: Server[] = []
after(() => {
  for (const server of servers) {
    server.closeAllConnections()
    server.close()
  }
})

async function startServer(handle: (req: IncomingMessage, res: ServerResponse) => void): Promise<TestServer> {
  const requests: TestServer['requests'] = []
  let open = 0
  const server = createServer((req, res) => {
    requests.push({ at: performance.now(), method: req.method ?? '', url: req.url ?? '', host: req.headers.host, connection: req.headers.connection })
    handle(req, res)
  })
  server.on('connection', (socket) => {
    open++
    socket.on('close', () => open--)
  })
  servers.push(server)
  server.listen(0, '127.0.0.1')
  await once(server, 'listening')
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, requests, server, openSockets: () => open }
}

const answer = (status: number) => (_req: IncomingMessage, res: ServerResponse) => res.writeHead(status, { 'content-type': 'text/plain' }).end(`status ${status}\n`)
const closeSocket = (req: IncomingMessage) => req.socket.destroy()
const hang = () => {}

function upstream(urls: string[], active: Partial<ActiveHealthCheckConfig> = {}): UpstreamConfig {
  return {
    name: 'api',
    targets: urls.map((url) => ({ url, weight: 1 })),
    balancing: 'round-robin',
    poolSize: 10,
    queueSize: 10,
    keepAliveMs: 1000,
    timeouts: { connectMs: 1000, headersMs: 1000, bodyMs: 1000 },
    retries: 1,
    healthCheck: {
      passive: { consecutiveFailures: 1, ejectMs: 60_000 },
      active: { path: '/healthz', intervalMs: 30, timeoutMs: 100, healthyThreshold: 2, unhealthyThreshold: 2, expectStatus: [200], ...active },
    },
  }
}

function recordingSet(config: UpstreamConfig) {
  const events: Array<{ event: string; fields: Record<string, unknown> }> = []
  const set = new TargetSet(config, { log: (event, fields) => events.push({ event, fields: fields as Record<string, unknown> }) })
  return { set, events }
}

async function waitFor(what: string, condition: () => boolean, timeoutMs = 3000): Promise<void> {
  const deadline = performance.now() + timeoutMs
  while (!condition()) {
    if (performance.now() > deadline) throw new Error(`timed out waiting for ${what}`)
    await new Promise((resolve) => setTimeout(resolve, 5))
  }
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms))

describe('active health checks', () => {
  it('marks 503, closed-socket and hanging targets unhealthy and keeps the 200 one', async () => {
    const ok = await startServer(answer(200))
    const failing = await startServer(answer(503))
    const closing = await startServer(closeSocket)
    const hanging = await startServer(hang)
    const { set, events } = recordingSet(upstream([ok.url, failing.url, closing.url, hanging.url]))
    set.startActiveChecks()
    try {
      await waitFor('three unhealthy targets', () => set.health().filter((h) => !h.healthy).length === 3)
      const [okHealth, failingHealth, closingHealth, hangingHealth] = set.health()
      assert.deepEqual(okHealth, { upstream: 'api', target: ok.url.slice(7), healthy: true })
      assert.equal(failingHealth.reason, 'health check failing: status 503')
      assert.match(closingHealth.reason ?? '', /^health check failing: request failed: socket hang up/)
      assert.equal(hangingHealth.reason, 'health check failing: no complete response within 100 ms')
      assert.deepEqual(
        events.map((e) => [e.event, e.fields.target]).sort(),
        [failing, closing, hanging].map((s) => ['upstream.target.unhealthy', s.url.slice(7)]).sort(),
      )
      for (let i = 0; i < 5; i++) assert.equal(set.pick(), set.targets[0])
      // Two failed checks in a row were needed: the unhealthy event came with the second.
      assert.ok(failing.requests.length >= 2)
    } finally {
      set.stop()
    }
  })

  it('sends GET path with the target authority as Host on a fresh connection it closes', async () => {
    const ok = await startServer(answer(200))
    const { set } = recordingSet(upstream([ok.url], { path: '/status/health?deep=1' }))
    set.startActiveChecks()
    try {
      await waitFor('two probes', () => ok.requests.length >= 2)
    } finally {
      set.stop()
    }
    const { method, url, host, connection } = ok.requests[0]
    assert.deepEqual({ method, url, host, connection }, { method: 'GET', url: '/status/health?deep=1', host: ok.url.slice(7), connection: 'close' })
    await waitFor('probe connections closed', () => ok.openSockets() === 0, 1000)
  })

  it('fails a refused connection', async () => {
    const gone = await startServer(answer(200))
    gone.server.close()
    await once(gone.server, 'close')
    const { set } = recordingSet(upstream([gone.url]))
    set.startActiveChecks()
    try {
      await waitFor('unhealthy', () => !set.targets[0].available)
      assert.match(set.health()[0].reason ?? '', /ECONNREFUSED/)
    } finally {
      set.stop()
    }
  })

  it('turns unhealthy after exactly unhealthyThreshold failures and healthy after exactly healthyThreshold successes', async () => {
    let status = 200
    const served = { 200: 0, 503: 0 }
    const flapping = await startServer((req, res) => {
      served[status as 200 | 503]++
      answer(status)(req, res)
    })
    const seenAtTransition: Array<[string, number]> = []
    const set = new TargetSet(upstream([flapping.url], { healthyThreshold: 3, unhealthyThreshold: 2 }), {
      log: (event) => seenAtTransition.push([event, event === 'upstream.target.unhealthy' ? served[503] : served[200]]),
    })
    set.startActiveChecks()
    try {
      await waitFor('a few healthy probes', () => served[200] >= 3)
      assert.equal(set.targets[0].available, true)
      status = 503
      await waitFor('unhealthy', () => !set.targets[0].available)
      served[200] = 0
      status = 200
      await waitFor('healthy again', () => set.targets[0].available)
    } finally {
      set.stop()
    }
    assert.deepEqual(seenAtTransition, [['upstream.target.unhealthy', 2], ['upstream.target.healthy', 3]])
  })

  it('counts the statuses listed in expectStatus as healthy, others not', async () => {
    const noContent = await startServer(answer(204))
    const redirect = await startServer(answer(301))
    const { set } = recordingSet(upstream([noContent.url, redirect.url], { expectStatus: [200, 204] }))
    set.startActiveChecks()
    try {
      await waitFor('redirecting target unhealthy', () => !set.targets[1].available)
      await waitFor('several probes of the 204 target', () => noContent.requests.length >= 3)
      assert.equal(set.targets[0].available, true)
      assert.equal(set.health()[1].reason, 'health check failing: status 301')
    } finally {
      set.stop()
    }
  })

  it('reads at most a bounded part of an endless body and still judges by the status', async () => {
    const chunk = Buffer.alloc(16 * 1024, 'x')
    let bytesAccepted = 0
    const endless = await startServer((_req, res) => {
      res.writeHead(200)
      const pump = (): void => {
        if (res.destroyed) return
        bytesAccepted += chunk.length
        if (res.write(chunk)) setImmediate(pump)
        else res.once('drain', pump)
      }
      pump()
    })
    const { set, events } = recordingSet(upstream([endless.url], { timeoutMs: 1000 }))
    set.startActiveChecks()
    try {
      await waitFor('four probes', () => endless.requests.length >= 4)
    } finally {
      set.stop()
    }
    assert.equal(set.targets[0].available, true)
    assert.deepEqual(events, [])
    // Each probe stops after 64 KiB; socket buffers on both sides let the server push somewhat more.
    assert.ok(bytesAccepted < endless.requests.length * 2 * 1024 * 1024, `server pushed ${bytesAccepted} bytes`)
    await waitFor('probe connections closed', () => endless.openSockets() === 0, 1000)
  })

  it('never overlaps two checks of one target, even when each takes longer than the interval', async () => {
    const hanging = await startServer(hang)
    const { set } = recordingSet(upstream([hanging.url], { intervalMs: 10, timeoutMs: 80 }))
    set.startActiveChecks()
    try {
      await waitFor('five probes', () => hanging.requests.length >= 5)
    } finally {
      set.stop()
    }
    const arrivals = hanging.requests.map((r) => r.at)
    for (let i = 1; i < arrivals.length; i++) {
      // A probe starts only after the previous one timed out (80 ms), while overlapping probes would
      // arrive every 10 ms. Arrival times are taken by a server that may itself be delayed on a
      // loaded machine, so the bound sits between the two rather than at 80 ms.
      assert.ok(arrivals[i] - arrivals[i - 1] >= 50, `probe ${i} started ${arrivals[i] - arrivals[i - 1]} ms after the previous one`)
    }
  })

  it('stop() aborts the check in flight and schedules nothing more', async () => {
    const hanging = await startServer(hang)
    const ok = await startServer(answer(200))
    const { set } = recordingSet(upstream([hanging.url, ok.url], { timeoutMs: 10_000 }))
    set.startActiveChecks()
    await waitFor('a probe waiting on the hanging target and two on the other', () => hanging.openSockets() === 1 && ok.requests.length >= 2)
    const stoppedAt = performance.now()
    set.stop()
    await waitFor('the hanging probe connection closed', () => hanging.openSockets() === 0, 1000)
    assert.ok(performance.now() - stoppedAt < 1000, 'closed long before the 10 s probe timeout')
    const seen = [hanging.requests.length, ok.requests.length]
    await sleep(200) // more than six intervals
    assert.deepEqual([hanging.requests.length, ok.requests.length], seen)
    assert.equal(ok.openSockets(), 0)
    // The aborted probe was not counted as a failure.
    assert.equal(set.targets[0].active.consecutiveFailures, 0)
  })

  it('can be started again after stop() without doubling the checks', async () => {
    const ok = await startServer(answer(200))
    const { set } = recordingSet(upstream([ok.url], { intervalMs: 40 }))
    set.startActiveChecks()
    set.startActiveChecks()
    await sleep(20)
    set.stop()
    set.startActiveChecks()
    try {
      await sleep(400)
    } finally {
      set.stop()
    }
    // One chain of probes every 40 ms over ~420 ms: about 11, never the ~20 of two chains.
    assert.ok(ok.requests.length >= 5 && ok.requests.length <= 14, `${ok.requests.length} probes`)
  })

  it('keeps checking when the logger throws', async () => {
    const failing = await startServer(answer(503))
    const set = new TargetSet(upstream([failing.url]), { log: () => { throw new Error('logger broke') } })
    set.startActiveChecks()
    try {
      await waitFor('unhealthy', () => !set.targets[0].available)
      const seen = failing.requests.length
      await waitFor('further probes', () => failing.requests.length >= seen + 2)
    } finally {
      set.stop()
    }
  })
})

describe('panic mode with active checks (UPS-08)', () => {
  it('UPS-08: panic ignores passive ejections but still avoids actively unhealthy targets', async () => {
    const ok = await startServer(answer(200))
    const failing = await startServer(answer(503))
    const { set, events } = recordingSet(upstream([ok.url, failing.url]))
    set.startActiveChecks()
    try {
      await waitFor('failing target unhealthy', () => !set.targets[1].available)
      const [good, bad] = set.targets
      set.reportFailure(good, 'status-5xx') // consecutiveFailures: 1 → ejected for 60 s
      assert.equal(good.available, false)
      for (let i = 0; i < 4; i++) assert.equal(set.pick(), good)
      assert.equal(set.pick(good), undefined, 'a retry is not sent to the unhealthy target')
      assert.ok(events.some((e) => e.event === 'upstream.panic.enter'))
      assert.equal(bad.available, false)
    } finally {
      set.stop()
    }
  })

  it('UPS-08: with every target failing its health check, pick gives undefined (503)', async () => {
    const a = await startServer(answer(503))
    const b = await startServer(closeSocket)
    const { set } = recordingSet(upstream([a.url, b.url]))
    set.startActiveChecks()
    try {
      await waitFor('both unhealthy', () => set.targets.every((t) => !t.available))
      assert.equal(set.pick(), undefined)
    } finally {
      set.stop()
    }
  })
})
