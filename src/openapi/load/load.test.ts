import { test, describe } from 'node:test'
import assert from 'node:assert/strict'
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { parse } from 'yaml'
import type { ApiSpec } from '../model.ts'
import { loadApiSpec } from './index.ts'

const fixture = (path: string): string => fileURLToPath(new URL(`../../../test/fixtures/openapi/${path}`, import.meta.url))

/** What must be the same whichever version a document is written in. */
function essentials(spec: ApiSpec) {
  return {
    basePath: spec.basePath,
    title: spec.title,
    apiVersion: spec.apiVersion,
    schemes: Object.fromEntries(Object.entries(spec.securitySchemes).map(([name, scheme]) => [name, { type: scheme.type, scopes: scheme.scopes }])),
    operations: spec.operations.map((operation) => ({
      method: operation.method,
      pathTemplate: operation.pathTemplate,
      operationId: operation.operationId,
      security: operation.security,
      parameters: operation.parameters,
      requestBody: operation.requestBody === undefined ? undefined : { required: operation.requestBody.required, schemas: Object.fromEntries(Object.entries(operation.requestBody.content).map(([type, media]) => [type, media.schema])) },
      responses: operation.responses.map((response) => ({ status: response.status, content: response.content })),
    })),
  }
}

describe('loadApiSpec: versions', () => {
  test('Swagger 2.0, OpenAPI 3.0 and OpenAPI 3.1 documents are detected as such', async () => {
    assert.equal((await loadApiSpec(fixture('swagger2/api_a.yaml'))).version, '2.0')
    assert.equal((await loadApiSpec(fixture('oas30/api_a.yaml'))).version, '3.0')
    assert.equal((await loadApiSpec(fixture('oas31/api_a.yaml'))).version, '3.1')
  })

  test('api_a normalises to the same operations, security and base path in all three versions', async () => {
    const [v2, v30, v31] = await Promise.all(['swagger2/api_a.yaml', 'oas30/api_a.yaml', 'oas31/api_a.yaml'].map((file) => loadApiSpec(fixture(file))))
    const expected = essentials(v30)
    assert.deepEqual(essentials(v2), expected)
    assert.deepEqual(essentials(v31), expected)
    assert.equal(v30.basePath, '/v1')
    assert.deepEqual(expected.operations.map((operation) => [operation.method, operation.pathTemplate, operation.security]), [
      ['GET', '/data', [{ api_a_auth: ['api_a.r'] }]],
      ['POST', '/data', [{ api_a_auth: ['api_a.w'] }]],
    ])
    assert.deepEqual(expected.schemes, { api_a_auth: { type: 'oauth2', scopes: { 'api_a.r': 'Read the messages of API A', 'api_a.w': 'Add messages to API A' } } })
  })

  for (const service of ['a', 'b', 'c', 'd']) {
    test(`demo service api_${service} loads in 2.0 and 3.0 with its own scheme and scopes`, async () => {
      for (const folder of ['swagger2', 'oas30']) {
        const spec = await loadApiSpec(fixture(`${folder}/api_${service}.yaml`))
        assert.equal(spec.basePath, '/v1')
        const [get, post] = spec.operations
        assert.deepEqual(get.security, [{ [`api_${service}_auth`]: [`api_${service}.r`] }])
        assert.deepEqual(post.security, [{ [`api_${service}_auth`]: [`api_${service}.w`] }])
        assert.deepEqual(get.responses[0].content['application/json'].example, [`API ${service.toUpperCase()}: Message 1`, `API ${service.toUpperCase()}: Message 2`])
        assert.equal(post.requestBody?.required, true)
        assert.deepEqual(post.responses.map((response) => response.status), ['201'])
        assert.deepEqual(post.requestBody?.content['application/json'].schema, {
          type: 'object',
          required: ['items'],
          additionalProperties: false,
          properties: { items: { type: 'array', minItems: 1, items: { type: 'string' } } },
        })
      }
    })
  }

  test('every fixture meant to load does load', async () => {
    const files = ['swagger2/shop.yaml', 'oas30/shop.yaml', 'params.yaml', 'multi-file/api.yaml', 'broken/circular-ref.yaml']
    for (const file of files) {
      const spec = await loadApiSpec(fixture(file))
      assert.ok(spec.operations.length > 0, file)
      assert.equal(spec.file, fixture(file))
    }
  })

  test('a relative path is resolved against the working directory and reported absolute', async () => {
    const spec = await loadApiSpec('test/fixtures/openapi/oas30/api_b.yaml')
    assert.equal(spec.file, fixture('oas30/api_b.yaml'))
    assert.equal(spec.title, 'API B')
    assert.equal(spec.apiVersion, '1.0.0')
  })

  test('a JSON document loads like its YAML twin', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'gatehouse-spec-'))
    try {
      const file = join(dir, 'api_a.json')
      await writeFile(file, JSON.stringify(parse(await readFile(fixture('oas30/api_a.yaml'), 'utf8')), null, 2))
      const [json, yaml] = await Promise.all([loadApiSpec(file), loadApiSpec(fixture('oas30/api_a.yaml'))])
      assert.deepEqual(essentials(json), essentials(yaml))
    } finally {
      await rm(dir, { recursive: true, force: true })
    }
  })

  test('schemas in a second file are resolved, including references inside that file', async () => {
    const spec = await loadApiSpec(fixture('multi-file/api.yaml'))
    const [list, add] = spec.operations
    assert.deepEqual(list.parameters.map((parameter) => [parameter.name, parameter.pointer]), [['page', '#/paths/~1items/get/parameters/0']])
    const item = add.requestBody?.content['application/json'].schema as Record<string, unknown>
    assert.deepEqual(item.required, ['sku', 'name'])
    assert.equal(item.example, undefined, 'example is not a validation keyword')
    const listed = list.responses[0].content['application/json'].schema as Record<string, unknown>
    assert.deepEqual(listed.items, item)
  })
})
