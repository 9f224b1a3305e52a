import { readFileSync } from 'node:fs'
import assert from 'node:assert/strict'
import { after, before, describe, test } from 'node:test'
import { join } from 'node:path'
import { loadConfigFile, parseConfigText } from '../../src/config/load.ts'
import { EXAMPLE_CONFIG } from '../../src/config/docs-example.ts'
import { makeTempDir, MINIMAL, yaml, type TempDir } from './config-test-kit.ts'

describe('loading a valid config', () => {
  let tmp: TempDir
  before(async () => { tmp = await makeTempDir() })
  after(() => tmp.remove())

  test('a minimal file gets every default', async () => {
    const file = await tmp.write('gatehouse.yaml', MINIMAL)
    const config = await loadConfigFile(file, { env: {}, policies: {} })
    assert.deepEqual(config, {
      source: file,
      workers: 1,
      listeners: [{ name: 'main', protocol: 'http', host: '0.0.0.0', port: 8080 }],
      admin: { host: '127.0.0.1', port: 9876 },
      limits: { maxHeaderSize: 16384, maxBodySize: 10 * 1024 * 1024, headersTimeoutMs: 60000, requestTimeoutMs: 300000, keepAliveTimeoutMs: 5000, maxConnections: 10000 },
      forwarding: { trustedProxies: [], via: true, forwarded: false },
      observability: { accessLog: { enabled: true, destination: 'stdout' }, logLevel: 'info', metrics: true },
      shutdown: { drainTimeoutMs: 30000 },
      upstreams: {},
      routes: [],
      apis: [],
      policies: {},
      keyManager: null,
      consumers: [],
      consumerRefreshSeconds: 5,
    })
  })

  test('short forms are normalised and upstream defaults applied', () => {
    const text = yaml(
      'workers: auto',
      'listeners: [{ name: main, port: 0 }]',
      'forwarding:',
      '  trustedProxies: [10.0.0.0/8, 192.168.1.7, "::1"]',
      'observability:',
      '  accessLog: { destination: logs/access.log }',
      'upstreams:',
      '  users:',
      '    targets:',
      '      - http://127.0.0.1:3000/',
      '      - { url: "http://[::1]:3001", weight: 3 }',
      '    healthCheck:',
      '      active: { path: /health, expectStatus: [204, "200-202"] }',
      'routes:',
      '  - path: /users/:id',
      '    hosts: API.Example.com',
      '    methods: [get, Post, GET]',
      '    upstream: users',
      '  - name: bulk',
      '    paths: [/a, /b]',
      '    match: exact',
      '    upstream: users',
    )
    const config = parseConfigText(text, join(tmp.dir, 'sub', 'gatehouse.yaml'), { env: {}, policies: {} })
    assert.equal(config.workers, 'auto')
    assert.deepEqual(config.forwarding.trustedProxies, ['10.0.0.0/8', '192.168.1.7/32', '::1/128'])
    assert.equal(config.observability.accessLog.destination, join(tmp.dir, 'sub', 'logs', 'access.log'))
    const users = config.upstreams.users
    assert.equal(users.name, 'users')
    assert.deepEqual(users.targets, [{ url: 'http://127.0.0.1:3000', weight: 1 }, { url: 'http://[::1]:3001', weight: 3 }])
    assert.deepEqual({ balancing: users.balancing, poolSize: users.poolSize, queueSize: users.queueSize, keepAliveMs: users.keepAliveMs, retries: users.retries },
      { balancing: 'round-robin', poolSize: 128, queueSize: 1024, keepAliveMs: 4000, retries: 1 })
    assert.deepEqual(users.timeouts, { connectMs: 2000, headersMs: 30000, bodyMs: 30000 })
    assert.deepEqual(users.healthCheck, {
      active: { path: '/health', intervalMs: 5000, timeoutMs: 2000, healthyThreshold: 2, unhealthyThreshold: 3, expectStatus: [200, 201, 202, 204] },
      passive: { consecutiveFailures: 5, ejectMs: 30000 },
    })
    assert.deepEqual(config.routes[0], {
      name: 'route-0', hosts: ['api.example.com'], paths: ['/users/:id'], match: 'prefix', methods: ['GET', 'POST'],
      stripPath: false, preserveHost: false, upstream: 'users', policies: {},
    })
    assert.deepEqual([config.routes[1].name, config.routes[1].paths, config.routes[1].match], ['bulk', ['/a', '/b'], 'exact'])
  })

  test('the default expectStatus is 200-399', () => {
    const text = MINIMAL + yaml('upstreams:', '  u:', '    targets: [http://127.0.0.1:1]', '    healthCheck: { active: { path: /ping } }')
    const status = parseConfigText(text, join(tmp.dir, 'g.yaml'), { env: {}, policies: {} }).upstreams.u.healthCheck.active?.expectStatus
    assert.equal(status?.length, 200)
    assert.deepEqual([status?.[0], status?.at(-1)], [200, 399])
  })

  test('the example in docs/configuration.md loads', async () => {
    await tmp.write('example/certs/gateway.pem', readFileSync(new URL('../fixtures/tls/localhost.crt', import.meta.url), 'utf8'))
    await tmp.write('example/certs/gateway-key.pem', readFileSync(new URL('../fixtures/tls/localhost.key', import.meta.url), 'utf8'))
    const file = await tmp.write('example/gatehouse.yaml', EXAMPLE_CONFIG)
    const config = await loadConfigFile(file, { env: { GATEHOUSE_ADMIN_TOKEN: 'an-admin-token-of-some-length' }, policies: {} })
    assert.equal(config.listeners[1].tls?.cert, join(tmp.dir, 'example', 'certs', 'gateway.pem'))
    assert.equal(config.admin.token, 'an-admin-token-of-some-length')
    assert.deepEqual(config.routes.map((route) => route.name), ['users', 'legacy'])
  })
})
