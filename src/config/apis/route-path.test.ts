import assert from 'node:assert/strict'
import { describe, test } from 'node:test'
import FindMyWay from 'find-my-way'
import { normaliseBasePath, segmentCount, toRoutePath, type RoutePath } from './route-path.ts'

function routed(basePath: string, template: string): RoutePath {
  const result = toRoutePath(basePath, template)
  if ('problem' in result) assert.fail(`${template}: ${result.problem}`)
  return result
}

function problemOf(basePath: string, template: string): string {
  const result = toRoutePath(basePath, template)
  assert.ok('problem' in result, `${template} was routed as ${JSON.stringify(result)}`)
  return result.problem
}

/** The params the gateway's router (same options as src/gateway/runtime.ts) finds for `url`, or null. */
function match(routePath: string, url: string): Record<string, string | undefined> | null {
  const router = FindMyWay({ caseSensitive: true, ignoreTrailingSlash: false, ignoreDuplicateSlashes: false, maxParamLength: 1000 })
  router.on('GET', routePath, () => {})
  return router.find('GET', url)?.params ?? null
}

describe('toRoutePath', () => {
  test('{id} becomes :id; no parameter is renamed', () => {
    assert.deepEqual(routed('', '/users/{id}'), { path: '/users/:id', renamed: {} })
    assert.deepEqual(routed('', '/users/{userId}/orders/{order_id}'), { path: '/users/:userId/orders/:order_id', renamed: {} })
  })

  test('base paths: "" + "/" is "/", "/v1" + "/data" is "/v1/data", "/v1" + "/" is "/v1"', () => {
    assert.equal(routed('', '/').path, '/')
    assert.equal(routed('', '/data').path, '/data')
    assert.equal(routed('/v1', '/data').path, '/v1/data')
    assert.equal(routed('/v1', '/').path, '/v1')
    assert.equal(routed('/api/v2', '/users/{id}').path, '/api/v2/users/:id')
  })

  test('a base path with a trailing slash (as a config may write it) joins without a double slash', () => {
    assert.equal(routed('/v1/', '/data').path, '/v1/data')
    assert.equal(routed('/', '/data').path, '/data')
    assert.equal(routed('/', '/').path, '/')
    assert.equal(normaliseBasePath('/v1//'), '/v1')
    assert.equal(segmentCount('/v1/'), 1)
    assert.equal(segmentCount('/'), 0)
    assert.equal(segmentCount(''), 0)
    assert.equal(segmentCount('/api/v2'), 2)
  })

  test('a name the router cannot carry gets a stand-in, and renamed maps it back', () => {
    const result = routed('/v1', '/users/{user-id}/files/{file.name}')
    assert.deepEqual(result, { path: '/v1/users/:p0_/files/:p1_', renamed: { p0_: 'user-id', p1_: 'file.name' } })
    const params = match(result.path, '/v1/users/42/files/a.txt')
    assert.deepEqual({ ...params }, { p0_: '42', p1_: 'a.txt' })
  })

  test('a stand-in never takes a name the template already uses', () => {
    const result = routed('', '/a/{p0_}/b/{user-id}')
    assert.equal(result.path, '/a/:p0_/b/:p1_')
    assert.deepEqual(result.renamed, { p1_: 'user-id' })
  })

  test('two parameters in one segment are a problem', () => {
    assert.match(problemOf('', '/pair/{a}{b}'), /segment "\{a\}\{b\}" holds more than one parameter/)
    assert.match(problemOf('', '/range/{from}-{to}'), /more than one parameter/)
  })

  test('literal text around a parameter: /files/{name}.json routes /files/report.json with name = report', () => {
    const result = routed('', '/files/{name}.json')
    assert.equal(result.path, '/files/:name.json')
    assert.deepEqual({ ...match(result.path, '/files/report.json') }, { name: 'report' })
    assert.deepEqual({ ...match(result.path, '/files/report.v2.json') }, { name: 'report.v2' })
    assert.equal(match(result.path, '/files/report.xml'), null)
    assert.equal(match(result.path, '/files/report'), null)
  })

  test('literal text before a parameter, and after it from "-"', () => {
    const prefixed = routed('', '/files/v{version}')
    assert.deepEqual({ ...match(prefixed.path, '/files/v12') }, { version: '12' })
    const dashed = routed('', '/reports/{year}-summary')
    assert.deepEqual({ ...match(dashed.path, '/reports/2024-summary') }, { year: '2024' })
    const renamed = routed('', '/files/{file-name}.json')
    assert.deepEqual({ ...match(renamed.path, '/files/report.json') }, { p0_: 'report' })
    assert.deepEqual(renamed.renamed, { p0_: 'file-name' })
  })

  test('text after a parameter that the router would read as part of its name is a problem', () => {
    // `{id}x` would become `:idx`: a parameter named "idx" and no literal "x".
    assert.match(problemOf('', '/items/{id}x'), /text after \{id\} must start with "\." or "-"/)
    assert.match(problemOf('', '/items/{id}_v2'), /must start with "\." or "-"/)
    // "(" right after a name opens a regular expression in the router.
    assert.match(problemOf('', '/items/{id}(1)'), /must start with "\." or "-"/)
  })

  test('paths the router cannot hold are problems', () => {
    assert.match(problemOf('', 'data'), /must start with "\/"/)
    assert.match(problemOf('', '/a:b'), /cannot hold/)
    assert.match(problemOf('', '/files/*'), /cannot hold/)
    assert.match(problemOf('', '/a b'), /cannot hold/)
  })
})
