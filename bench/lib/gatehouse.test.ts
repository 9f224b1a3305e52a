import assert from 'node:assert/strict'
import { existsSync } from 'node:fs'
import { dirname } from 'node:path'
import { test } from 'node:test'
import { baseGatehouseConfig, passthroughGatehouseConfig, startBenchGateway } from './gatehouse.ts'
import { startNodeUpstream } from './node-servers.ts'
import { freePort } from './ports.ts'
import { RunScope } from './run-scope.ts'
import { httpGet } from './wait.ts'

test('the base config: one worker, listener and admin port, metrics, the access log and upstream as asked', () => {
  assert.deepEqual(baseGatehouseConfig({ port: 8080, adminPort: 9090 }), {
    workers: 1,
    listeners: [{ name: 'bench', protocol: 'http', host: '127.0.0.1', port: 8080 }],
    admin: { host: '127.0.0.1', port: 9090 },
    observability: { accessLog: { enabled: false }, logLevel: 'warn', metrics: true },
  })
  const full = baseGatehouseConfig({ port: 8080, adminPort: 9090, upstreamUrl: 'http://127.0.0.1:7070', accessLogFile: '/tmp/a.log' })
  assert.deepEqual(full.observability, { accessLog: { enabled: true, destination: '/tmp/a.log' }, logLevel: 'warn', metrics: true })
  assert.deepEqual(full.upstreams, { backend: { targets: ['http://127.0.0.1:7070'] } })
})

test('the passthrough config is the base and one prefix route to the upstream', () => {
  const options = { port: 1, adminPort: 2, upstreamUrl: 'http://127.0.0.1:3', accessLogFile: 'access.log' }
  assert.deepEqual(passthroughGatehouseConfig(options), {
    ...baseGatehouseConfig(options),
    routes: [{ name: 'everything', paths: ['/'], match: 'prefix', upstream: 'backend' }],
  })
})

test('a bench gateway starts in its temp dir with the config made for its ports, and forwards', async () => {
  const scope = new RunScope()
  try {
    const upstreamPort = await freePort()
    await startNodeUpstream(scope, { port: upstreamPort })
    const gateway = await startBenchGateway(scope, {
      dirPrefix: 'gatehouse-bench-test',
      config: (place) => passthroughGatehouseConfig({ ...place, upstreamUrl: `http://127.0.0.1:${upstreamPort}` }),
    })
    assert.equal(gateway.origin, `http://127.0.0.1:${gateway.port}`)
    assert.notEqual(gateway.port, gateway.adminPort)
    assert.equal(dirname(gateway.accessLogFile), gateway.dir)
    assert.ok(existsSync(`${gateway.dir}/gatehouse.yaml`))
    const answer = await httpGet(`${gateway.origin}/v1/data`)
    assert.equal(answer.status, 200)
    assert.equal(gateway.process.hasExited(), false)
  } finally {
    await scope.close()
  }
})
