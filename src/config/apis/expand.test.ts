// `apis` expanded by loadConfigFile: real config files in a temp directory referencing the
// OpenAPI fixtures by absolute path. What a running gateway does with the routes is covered by
// test/e2e/openapi-apis.test.ts; here it is the generated routes and the load errors.
import assert from 'node:assert/strict'
import { mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { after, before, describe, test } from 'node:test'
import { runCli } from '../../../test/helpers/cli.ts'
import { startGateway } from '../../../test/helpers/gateway.ts'
import { httpRequest } from '../../../test/helpers/http-client.ts'
import { ConfigError, type ConfigIssue } from '../issues.ts'
import { loadConfigFile } from '../load.ts'
import { redactConfig } from '../redact.ts'
import type { GatehouseConfig, RouteConfig } from '../types.ts'
import type { OpenApiMockSettings, OpenApiRequestSettings } from './expand.ts'

const fixture = (name: string): string => fileURLToPath(new URL(`../../../test/fixtures/openapi/${name}`, import.meta.url))

const HEAD = [
  'listeners: [{ name: public, protocol: http, host: 127.0.0.1, port: 8080 }]',
  "upstreams: { services: { targets: ['http://127.0.0.1:9'] } }",
].join('\n')
const KEY_MANAGER = 'keyManager: { issuer: https://gatehouse.test/oauth2, adminToken: registry-admin-token-0123456789 }'

let dir: string
let counter = 0

before(async () => {
  dir = await mkdtemp(join(tmpdir(), 'gatehouse-apis-'))
})

after(async () => {
  await rm(dir, { recursive: true, force: true })
})

/** Writes a file into the temp directory and returns its absolute path. */
async function write(name: string, text: string): Promise<string> {
  const file = join(dir, name)
  await writeFile(file, text)
  return file
}

async function load(body: string): Promise<GatehouseConfig> {
  return await loadConfigFile(await write(`gatehouse-${counter++}.yaml`, `${HEAD}\n${body}\n`), { env: {}, onWarning: () => {} })
}

async function issuesOf(body: string): Promise<ConfigIssue[]> {
  try {
    await load(body)
  } catch (error) {
    if (error instanceof ConfigError) return error.issues
    throw error
  }
  assert.fail('the config loaded')
}

function route(config: GatehouseConfig, name: string): RouteConfig {
  const found = config.routes.find((candidate) => candidate.name === name)
  assert.ok(found !== undefined, `no route ${name} among ${config.routes.map((r) => r.name).join(', ')}`)
  return found
}

describe('generated routes', () => {
  test('one exact route per operation, named <api>.<operationId>; GET also answers HEAD', async () => {
    const config = await load(`${KEY_MANAGER}\napis: [{ name: api_a, spec: ${fixture('swagger2/api_a.yaml')}, upstream: services }]`)
    assert.deepEqual(config.routes.map((r) => [r.name, r.methods, r.paths, r.match, r.upstream, r.api]), [
      ['api_a.getData', ['GET', 'HEAD'], ['/v1/data'], 'exact', 'services', 'api_a'],
      ['api_a.addData', ['POST'], ['/v1/data'], 'exact', 'services', 'api_a'],
    ])
  })

  test('a path that declares its own HEAD keeps it: GET is not doubled up; operations without operationId are named by method and path', async () => {
    const spec = await write('head.yaml', [
      'openapi: 3.0.3',
      'info: { title: Head, version: "1" }',
      'paths:',
      '  /report:',
      '    get: { operationId: getReport, responses: { "200": { description: ok } } }',
      '    head: { responses: { "200": { description: ok } } }',
      '  /other:',
      '    get: { responses: { "200": { description: ok } } }',
    ].join('\n'))
    const config = await load(`apis: [{ name: h, spec: ${spec}, upstream: services }]`)
    assert.deepEqual(config.routes.map((r) => [r.name, r.methods]), [
      ['h.getReport', ['GET']],
      ['h.HEAD /report', ['HEAD']],
      ['h.GET /other', ['GET', 'HEAD']],
    ])
  })

  test('the security of each operation becomes its policies, with the document\'s scopes', async () => {
    const config = await load(`${KEY_MANAGER}\napis: [{ name: api_a, spec: ${fixture('swagger2/api_a.yaml')}, upstream: services, scopeMatch: any }]`)
    const jwt = route(config, 'api_a.addData').policies.jwt as { scopes: string[]; scopeMatch: string; issuers: Array<{ keyManager?: boolean }> }
    assert.deepEqual([jwt.scopes, jwt.scopeMatch, jwt.issuers.map((issuer) => issuer.keyManager)], [['api_a.w'], 'any', [true]])
    assert.deepEqual((route(config, 'api_a.getData').policies.jwt as { scopes: string[] }).scopes, ['api_a.r'])
  })

  test('a base path from the config may end with "/"; stripBasePath removes exactly its segments', async () => {
    const config = await load(`${KEY_MANAGER}\napis:\n  - { name: a, spec: ${fixture('swagger2/api_a.yaml')}, upstream: services, basePath: /a/v1/, stripBasePath: true }\n  - { name: b, spec: ${fixture('oas30/api_b.yaml')}, upstream: services, basePath: / }`)
    assert.deepEqual([route(config, 'a.getData').paths, route(config, 'a.getData').stripSegments, route(config, 'a.getData').stripPath], [['/a/v1/data'], 2, true])
    assert.deepEqual([route(config, 'b.getData').paths, route(config, 'b.getData').stripPath], [['/data'], false])
  })

  test('an operations.<id> override: mock with mockStatus, validateRequests: false and extra policies reach its route only', async () => {
    const config = await load([
      'apis:',
      `  - name: params`,
      `    spec: ${fixture('params.yaml')}`,
      '    upstream: services',
      '    operations:',
      '      createUser: { mock: true, mockStatus: 400 }',
      '      getQuery: { validateRequests: false, policies: { headers: { request: { set: { X-Checked: "no" } } } } }',
    ].join('\n'))
    const mocked = route(config, 'params.createUser').policies
    assert.equal((mocked['openapi-mock'] as OpenApiMockSettings).status, 400)
    assert.equal((mocked['openapi-request'] as OpenApiRequestSettings).validateRequests, true)
    const unchecked = route(config, 'params.getQuery').policies
    // Nothing left to check: no request validation and responses off.
    assert.equal(unchecked['openapi-request'], undefined)
    assert.deepEqual((unchecked.headers as { request: { set: unknown } }).request.set, { 'X-Checked': 'no' })
    const other = route(config, 'params.getUser').policies
    assert.equal(other['openapi-mock'], undefined)
    assert.equal(other.headers, undefined)
    assert.equal((other['openapi-request'] as OpenApiRequestSettings).validateRequests, true)
  })

  test('validateRequests: false with response validation on keeps the policy for responses only', async () => {
    const config = await load(`apis: [{ name: params, spec: ${fixture('params.yaml')}, upstream: services, validation: { responses: log }, operations: { getUser: { validateRequests: false } } }]`)
    const settings = route(config, 'params.getUser').policies['openapi-request'] as OpenApiRequestSettings
    assert.deepEqual([settings.validateRequests, settings.responses], [false, 'log'])
  })

  test('an operation can opt out of an API-wide mock, or into validation the API switched off', async () => {
    const config = await load(`apis: [{ name: params, spec: ${fixture('params.yaml')}, upstream: services, mock: true, validation: { requests: false }, operations: { getUser: { mock: false, validateRequests: true } } }]`)
    const user = route(config, 'params.getUser').policies
    assert.equal(user['openapi-mock'], undefined)
    assert.equal((user['openapi-request'] as OpenApiRequestSettings).validateRequests, true)
    const me = route(config, 'params.getCurrentUser').policies
    assert.notEqual(me['openapi-mock'], undefined)
    assert.equal(me['openapi-request'], undefined)
    const noUpstream = await issuesOf(`apis: [{ name: params, spec: ${fixture('params.yaml')}, mock: true, operations: { getUser: { mock: false } } }]`)
    assert.deepEqual(noUpstream.map((issue) => issue.path), ['apis[0].upstream'])
    assert.match(noUpstream[0].message, /operation "getUser" is not mocked/)
  })

  test('redactConfig (admin /config) shows internal settings as labels, not the document', async () => {
    const config = await load(`apis: [{ name: params, spec: ${fixture('params.yaml')}, upstream: services }]`)
    const shown = redactConfig(config).routes.find((candidate) => candidate.name === 'params.getUser')!
    assert.deepEqual(shown.policies['openapi-request'], { api: 'params', operation: 'getUser' })
    assert.ok(JSON.stringify(redactConfig(config)).length < 20_000, 'no operation models in the copy')
  })

  test('/config shows internal settings as the API and operation they stand for', async () => {
    const config = await load(`apis: [{ name: params, spec: ${fixture('params.yaml')}, upstream: services, mock: true }]`)
    const policies = JSON.parse(JSON.stringify(route(config, 'params.getUser').policies)) as Record<string, unknown>
    assert.deepEqual(policies['openapi-request'], { api: 'params', operation: 'getUser' })
    assert.deepEqual(policies['openapi-mock'], { api: 'params', operation: 'getUser' })
  })
})

describe('refused at load', () => {
  test('a route in the file that claims an operation\'s requests → GH_ERR_CONFIG_ROUTE_CONFLICT at the apis entry', async () => {
    const issues = await issuesOf([
      KEY_MANAGER,
      'routes:',
      '  - { name: legacy, paths: [/v1/data], match: exact, methods: [GET], upstream: services }',
      'apis:',
      `  - { name: api_a, spec: ${fixture('swagger2/api_a.yaml')}, upstream: services }`,
    ].join('\n'))
    assert.equal(issues.length, 1, JSON.stringify(issues))
    assert.deepEqual([issues[0].code, issues[0].path, issues[0].line], ['GH_ERR_CONFIG_ROUTE_CONFLICT', 'apis[0]', 7])
    assert.match(issues[0].message, /"legacy" \(routes\[0\]\) and "api_a\.getData" \(routes\[1\]\) both match GET on any host \/v1\/data/)
  })

  test('an API without upstream and without mock is refused; mocking some operations is not enough', async () => {
    const none = await issuesOf(`apis: [{ name: params, spec: ${fixture('params.yaml')} }]`)
    assert.deepEqual(none.map((issue) => [issue.code, issue.path]), [['GH_ERR_CONFIG_INVALID', 'apis[0].upstream']])
    assert.match(none[0].message, /or `mock: true`/)
    const some = await issuesOf(`apis: [{ name: params, spec: ${fixture('params.yaml')}, operations: { getUser: { mock: true } } }]`)
    assert.match(some[0].message, /unless every operation is mocked/)
  })

  test('openapi-request and openapi-mock written by hand are refused as unknown fields, wherever policies go', async () => {
    const issues = await issuesOf([
      'routes:',
      '  - { name: r, paths: [/r], upstream: services, policies: { openapi-request: {} } }',
      'apis:',
      `  - name: params`,
      `    spec: ${fixture('params.yaml')}`,
      '    upstream: services',
      '    policies: { openapi-mock: {} }',
      '    operations: { getUser: { policies: { openapi-request: {} } } }',
    ].join('\n'))
    assert.deepEqual(issues.map((issue) => [issue.code, issue.path]), [
      ['GH_ERR_CONFIG_UNKNOWN_FIELD', 'routes[0].policies.openapi-request'],
      ['GH_ERR_CONFIG_UNKNOWN_FIELD', 'apis[0].policies.openapi-mock'],
      ['GH_ERR_CONFIG_UNKNOWN_FIELD', 'apis[0].operations.getUser.policies.openapi-request'],
    ])
    assert.match(issues[0].message, /set up from an API's document/)
  })

  test('a problem with an API\'s settings is reported once, not once per operation', async () => {
    const issues = await issuesOf(`apis: [{ name: api_a, spec: ${fixture('swagger2/api_a.yaml')}, upstream: services }]`)
    assert.deepEqual(issues.map((issue) => issue.path), ['apis[0].security.api_a_auth'])
  })

  test('settings for a security scheme the document does not define are refused (a typo would do nothing)', async () => {
    const issues = await issuesOf(`${KEY_MANAGER}\napis: [{ name: api_a, spec: ${fixture('swagger2/api_a.yaml')}, upstream: services, security: { api_a_oauth: { jwt: { issuers: [{ keyManager: true }] } } } }]`)
    assert.deepEqual(issues.map((issue) => [issue.code, issue.path]), [['GH_ERR_CONFIG_REFERENCE', 'apis[0].security.api_a_oauth']])
    assert.match(issues[0].message, /no security scheme "api_a_oauth" \(it defines "api_a_auth"\)/)
  })

  test('jwt settings that fail the jwt policy\'s schema are reported at the scheme\'s entry', async () => {
    const issues = await issuesOf(`apis: [{ name: api_a, spec: ${fixture('swagger2/api_a.yaml')}, upstream: services, security: { api_a_auth: { jwt: { issuers: [] } } } }]`)
    assert.ok(issues.length > 0)
    assert.ok(issues.every((issue) => issue.path.startsWith('apis[0].security.api_a_auth.jwt')), JSON.stringify(issues))
  })

  test('a mockStatus the operation does not declare is refused at load, not answered with 501 later', async () => {
    const issues = await issuesOf(`apis: [{ name: params, spec: ${fixture('params.yaml')}, mock: true, operations: { getUser: { mockStatus: 418 } } }]`)
    assert.deepEqual(issues.map((issue) => [issue.code, issue.path]), [['GH_ERR_CONFIG_INVALID', 'apis[0].operations.getUser.mockStatus']])
    assert.match(issues[0].message, /no response 418 is declared .*\(declared: 200, 404\)/)
  })

  test('an operation path the router cannot hold is a document issue with line and column', async () => {
    const spec = await write('pair.yaml', [
      'openapi: 3.0.3',
      'info: { title: Pair, version: "1" }',
      'paths:',
      '  /pair/{a}{b}:',
      '    get:',
      '      parameters:',
      '        - { name: a, in: path, required: true, schema: { type: string } }',
      '        - { name: b, in: path, required: true, schema: { type: string } }',
      '      responses: { "200": { description: ok } }',
    ].join('\n'))
    const issues = await issuesOf(`apis: [{ name: pair, spec: ${spec}, upstream: services }]`)
    assert.deepEqual(issues.map((issue) => [issue.code, issue.file, issue.path, issue.line]), [['GH_ERR_CONFIG_SPEC', spec, '#/paths/~1pair~1{a}{b}/get', 5]])
    assert.match(issues[0].message, /holds more than one parameter/)
  })
})

describe('gatehouse validate', () => {
  test('prints each document issue as file:line:col #/pointer: message (CODE) and exits 1', async () => {
    const file = await write('validate.yaml', `${HEAD}\napis: [{ name: broken, spec: ${fixture('broken/unresolved-ref.yaml')}, upstream: services }]\n`)
    const result = await runCli(['validate', file])
    assert.equal(result.code, 1, result.stdout + result.stderr)
    const lines = result.stderr.trim().split('\n')
    assert.equal(lines.length, 2, result.stderr)
    assert.match(lines[0], /unresolved-ref\.yaml:16:17 #\/paths\/~1data\/get\/responses\/200\/content\/application~1json\/schema\/\$ref: \$ref "#\/components\/schemas\/Mesages" cannot be resolved: .*did you mean #\/components\/schemas\/Messages\?\) \(GH_ERR_CONFIG_SPEC\)$/)
    assert.match(lines[1], /unresolved-ref\.yaml:23:15 #\/paths\/~1data\/post\/.*no-such-file\.yaml.* \(GH_ERR_CONFIG_SPEC\)$/)
  })

  test('a valid file with apis counts the generated routes', async () => {
    const file = await write('valid.yaml', `${HEAD}\n${KEY_MANAGER}\napis: [{ name: api_a, spec: ${fixture('swagger2/api_a.yaml')}, upstream: services }]\n`)
    const result = await runCli(['validate', file])
    assert.equal(result.code, 0, result.stderr)
    assert.match(result.stdout, /valid \(1 listeners, 1 upstreams, 2 routes\)/)
  })
})

describe('an API with mock: true and no upstream', () => {
  test('loads with routes that have no upstream, and answers from the document', async () => {
    const config = await load(`apis: [{ name: params, spec: ${fixture('params.yaml')}, mock: true }]`)
    assert.ok(config.routes.every((r) => r.upstream === ''))
    const gw = await startGateway(`apis: [{ name: params, spec: ${fixture('params.yaml')}, mock: true }]\n`)
    try {
      const created = await httpRequest(`${gw.url}/params/users`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ name: 'Ada', email: 'ada@example.com' }) })
      assert.equal(created.status, 201)
      assert.deepEqual(JSON.parse(created.body), { id: 1, name: 'Ada Lovelace', email: 'ada@example.com' })
      // Request validation still runs before the mock.
      const invalid = await httpRequest(`${gw.url}/params/users`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"name":""}' })
      assert.equal(invalid.status, 400)
      const head = await httpRequest(`${gw.url}/params/users/me`, { method: 'HEAD' })
      assert.equal(head.status, 200)
      assert.equal(head.body, '')
    } finally {
      await gw.stop()
    }
  })
})
