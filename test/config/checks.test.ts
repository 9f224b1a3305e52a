import { readFileSync } from 'node:fs'
import assert from 'node:assert/strict'
import { after, before, describe, test } from 'node:test'
import { join } from 'node:path'
import { parseConfigText } from '../../src/config/load.ts'
import { issuesOf, makeTempDir, onlyIssue, yaml, type TempDir } from './config-test-kit.ts'

// A real certificate pair: the loader parses TLS files, so placeholder text would be refused.
const TEST_CERT = readFileSync(new URL('../fixtures/tls/localhost.crt', import.meta.url), 'utf8')
const TEST_KEY = readFileSync(new URL('../fixtures/tls/localhost.key', import.meta.url), 'utf8')

const UPSTREAM = 'upstreams: { u: { targets: [http://127.0.0.1:1] } }'

describe('cross-field checks', () => {
  let tmp: TempDir
  let file: string
  const warnings: string[] = []
  before(async () => {
    tmp = await makeTempDir()
    file = join(tmp.dir, 'gatehouse.yaml')
  })
  after(() => tmp.remove())
  const parse = (text: string) => () => parseConfigText(text, file, { env: {}, policies: {}, onWarning: (message) => warnings.push(message) })

  test('CFG-04: two routes with the same host, method and path are GH_ERR_CONFIG_ROUTE_CONFLICT naming both', async () => {
    const text = yaml(
      'listeners: [{ name: a, port: 0 }]',
      UPSTREAM,
      'routes:',
      '  - { name: users-read, hosts: [api.example.com], methods: [GET], path: "/users/:id", upstream: u }',
      '  - { name: users-other, hosts: API.example.com, methods: [get, put], paths: ["/users/:userId"], upstream: u }',
      '  - { name: users-exact, hosts: api.example.com, methods: [GET], path: "/users/:id", match: exact, upstream: u }',
    )
    const issue = onlyIssue(await issuesOf(parse(text)), 'GH_ERR_CONFIG_ROUTE_CONFLICT')
    assert.deepEqual([issue.path, issue.line], ['routes[1]', 5])
    assert.equal(issue.message, 'routes "users-read" (routes[0]) and "users-other" (routes[1]) both match GET on api.example.com /users/:userId (prefix)')
  })

  test('a jwt issuer with keyManager: true in a file without a keyManager section is named where it stands', async () => {
    const text = yaml(
      'listeners: [{ name: a, port: 0 }]',
      UPSTREAM,
      'routes:',
      '  - { path: /a, upstream: u, policies: { jwt: { issuers: [{ keyManager: true }] } } }',
    )
    const strict = () => parseConfigText(text, file, { env: {}, onWarning: () => {} })
    const issue = onlyIssue(await issuesOf(strict), 'GH_ERR_CONFIG_REFERENCE')
    assert.deepEqual([issue.path, issue.line], ['routes[0].policies.jwt.issuers[0].keyManager', 4])
    assert.match(issue.message, /no keyManager section/)
  })

  test('routes differing in host, method, path or match do not conflict', () => {
    const text = yaml(
      'listeners: [{ name: a, port: 0 }]',
      UPSTREAM,
      'routes:',
      '  - { path: /a, upstream: u }',
      '  - { path: /a, match: exact, upstream: u }',
      '  - { path: /a, methods: [GET], upstream: u }',
      '  - { path: /a, hosts: [b.example], upstream: u }',
      '  - { path: /a/b, upstream: u }',
      '  - { path: "/files/:name.json", upstream: u }',
      '  - { path: "/files/:name.xml", upstream: u }',
    )
    assert.equal(parse(text)().routes.length, 7)
  })

  test('an https listener whose certificate file is missing is GH_ERR_CONFIG_TLS', async () => {
    await tmp.write('tls/key.pem', 'key')
    const text = yaml('listeners:', '  - name: secure', '    protocol: https', '    port: 0', '    tls: { cert: tls/cert.pem, key: tls/key.pem }')
    const issue = onlyIssue(await issuesOf(parse(text)), 'GH_ERR_CONFIG_TLS')
    assert.deepEqual([issue.path, issue.line, issue.column], ['listeners[0].tls.cert', 5, 18])
    assert.match(issue.message, /^certificate file ".*tls[/\\]cert\.pem" does not exist$/)
  })

  test('a TLS key path naming a directory is GH_ERR_CONFIG_TLS', async () => {
    await tmp.write('tls/cert.pem', 'cert')
    await tmp.write('tls/key-dir/placeholder', '')
    const text = yaml('listeners:', '  - { name: s, protocol: https, port: 0, tls: { cert: tls/cert.pem, key: tls/key-dir } }')
    const issue = onlyIssue(await issuesOf(parse(text)), 'GH_ERR_CONFIG_TLS')
    assert.equal(issue.path, 'listeners[0].tls.key')
    assert.match(issue.message, /^private key file ".*key-dir" is not a file$/)
  })

  test('TLS files are resolved against the config directory', async () => {
    await tmp.write('tls/cert.pem', TEST_CERT)
    await tmp.write('tls/key.pem', TEST_KEY)
    const config = parse(yaml('listeners:', '  - { name: s, protocol: https, port: 0, tls: { cert: tls/cert.pem, key: tls/key.pem } }'))()
    assert.deepEqual(config.listeners[0].tls, { cert: join(tmp.dir, 'tls', 'cert.pem'), key: join(tmp.dir, 'tls', 'key.pem') })
  })

  test('an https listener without tls is GH_ERR_CONFIG_TLS; tls on http is refused', async () => {
    const issues = await issuesOf(parse(yaml('listeners:', '  - { name: s, protocol: https, port: 0 }', '  - { name: p, port: 1, tls: { cert: a, key: b } }')))
    assert.deepEqual(issues.map((issue) => [issue.code, issue.path]), [['GH_ERR_CONFIG_TLS', 'listeners[0].protocol'], ['GH_ERR_CONFIG_INVALID', 'listeners[1].tls']])
  })

  test('ADM-01: an admin API on a public address without a token is GH_ERR_CONFIG_ADMIN_UNPROTECTED', async () => {
    const issue = onlyIssue(await issuesOf(parse(yaml('listeners: [{ name: a, port: 0 }]', 'admin:', '  host: 0.0.0.0'))), 'GH_ERR_CONFIG_ADMIN_UNPROTECTED')
    assert.deepEqual([issue.path, issue.line, issue.column], ['admin.host', 3, 9])
  })

  test('ADM-01: loopback admin addresses need no token; public ones accept a long enough token', async () => {
    for (const host of ['127.0.0.1', '127.8.9.10', '::1', 'localhost']) {
      assert.equal(parse(yaml('listeners: [{ name: a, port: 0 }]', `admin: { host: "${host}" }`))().admin.host, host)
    }
    assert.equal(parse(yaml('listeners: [{ name: a, port: 0 }]', 'admin: { host: 0.0.0.0, token: 0123456789abcdef }'))().admin.token, '0123456789abcdef')
    const issue = onlyIssue(await issuesOf(parse(yaml('listeners: [{ name: a, port: 0 }]', 'admin: { host: 0.0.0.0, token: short }'))), 'GH_ERR_CONFIG_INVALID')
    assert.deepEqual([issue.path, issue.message], ['admin.token', 'must be at least 16 characters long'])
  })

  test('CFG-09: limits that switch a protection off are refused without limits.unsafe', async () => {
    const text = yaml('listeners: [{ name: a, port: 0 }]', 'limits:', '  maxHeaderSize: 10485760', '  headersTimeoutMs: 0', '  maxBodySize: 0', '  maxConnections: 0')
    const issues = await issuesOf(parse(text))
    assert.deepEqual(issues.map((issue) => issue.path), ['limits.maxHeaderSize', 'limits.headersTimeoutMs', 'limits.maxBodySize', 'limits.maxConnections'])
    assert.match(issues[1].message, /0 switches this protection off; set limits.unsafe: true to allow it/)
  })

  test('CFG-09: with limits.unsafe they are accepted, and each one is warned about', () => {
    warnings.length = 0
    const config = parse(yaml('listeners: [{ name: a, port: 0 }]', 'limits:', '  unsafe: true', '  requestTimeoutMs: 0', '  maxHeaderSize: 1048576'))()
    assert.equal(config.limits.requestTimeoutMs, 0)
    assert.equal('unsafe' in config.limits, false)
    assert.equal(warnings.length, 2)
    assert.match(warnings[0], /gatehouse\.yaml:4:21 limits\.requestTimeoutMs: 0 switches this protection off; accepted because limits\.unsafe is true$/)
    assert.match(warnings[1], /:5:18 limits\.maxHeaderSize: values above 65536 weaken this protection/)
  })

  test('the head timeout may not exceed the whole-request timeout', async () => {
    const issue = onlyIssue(await issuesOf(parse(yaml('listeners: [{ name: a, port: 0 }]', 'limits: { headersTimeoutMs: 20000, requestTimeoutMs: 10000 }'))), 'GH_ERR_CONFIG_INVALID')
    assert.equal(issue.path, 'limits.headersTimeoutMs')
  })

  test('an active health check timeout longer than its interval is refused, as is a reversed status range', async () => {
    const text = yaml('listeners: [{ name: a, port: 0 }]', 'upstreams:', '  u:', '    targets: [http://127.0.0.1:1]', '    healthCheck: { active: { path: /h, intervalMs: 1000, timeoutMs: 5000, expectStatus: ["399-200"] } }')
    const paths = (await issuesOf(parse(text))).map((issue) => issue.path)
    assert.deepEqual(paths.sort(), ['upstreams.u.healthCheck.active.expectStatus', 'upstreams.u.healthCheck.active.timeoutMs'])
  })

  test('upstream names must be usable as labels', async () => {
    const issue = onlyIssue(await issuesOf(parse(yaml('listeners: [{ name: a, port: 0 }]', 'upstreams:', '  "bad name": { targets: [http://127.0.0.1:1] }'))), 'GH_ERR_CONFIG_INVALID')
    assert.deepEqual([issue.path, issue.line, issue.column], ['upstreams["bad name"]', 3, 3])
  })
})
