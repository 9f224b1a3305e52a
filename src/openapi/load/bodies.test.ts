import { test, describe } from 'node:test'
import assert from 'node:assert/strict'
import { mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import type { ApiSpec, OperationModel } from '../model.ts'
import { loadApiSpec } from './index.ts'

const fixture = (path: string): string => fileURLToPath(new URL(`../../../test/fixtures/openapi/${path}`, import.meta.url))

function operation(spec: ApiSpec, operationId: string): OperationModel {
  const found = spec.operations.find((candidate) => candidate.operationId === operationId)
  assert.ok(found, `operation ${operationId}`)
  return found
}

describe('request bodies and responses', () => {
  test('3.0: a referenced request body, response and named example are resolved; externalValue is not fetched', async () => {
    const spec = await loadApiSpec(fixture('oas30/shop.yaml'))
    const add = operation(spec, 'addProduct')
    assert.equal(add.requestBody?.required, true)
    assert.equal(add.requestBody?.pointer, '#/paths/~1products/post/requestBody')
    assert.deepEqual((add.requestBody?.content['application/json'].schema as Record<string, unknown>).required, ['name', 'price'])
    const [ok, fallback] = operation(spec, 'listProducts').responses
    assert.deepEqual(ok.content['application/json'].examples, { tea: [{ id: 1, name: 'Green tea', price: 4.5 }] })
    assert.deepEqual(ok.headers, { 'X-Total-Count': { required: true, schema: { type: 'integer' } } })
    assert.equal(fallback.status, 'default')
    assert.equal(fallback.description, 'Unexpected error')
    assert.deepEqual(operation(spec, 'getProduct').responses.map((response) => response.status), ['200', '4XX'])
    assert.equal(operation(spec, 'getProduct').deprecated, true)
  })

  test('2.0: a response schema is offered under every produces type, examples by their media type', async () => {
    const spec = await loadApiSpec(fixture('swagger2/shop.yaml'))
    const [ok, fallback] = operation(spec, 'listProducts').responses
    assert.deepEqual(Object.keys(ok.content), ['application/json'])
    assert.deepEqual(ok.content['application/json'].example, [{ id: 1, name: 'Green tea', price: 4.5 }])
    assert.deepEqual(fallback.content['application/json'].schema, { type: 'object', required: ['message'], properties: { message: { type: 'string' } } })
    const created = operation(spec, 'addProduct').responses[0]
    assert.deepEqual(created.headers, { Location: { required: false, schema: { type: 'string' } } })
    assert.deepEqual(operation(spec, 'getProduct').responses[1], { status: '404', description: 'No such product', headers: {}, content: {} })
  })

  test('responses keep the order they are written in, numeric status codes included', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'gatehouse-spec-'))
    try {
      const file = join(dir, 'api.yaml')
      await writeFile(file, [
        'openapi: 3.1.0',
        'info: { title: Order, version: "1" }',
        'paths:',
        '  /data:',
        '    get:',
        '      responses:',
        '        default: { description: Other }',
        '        404: { description: Missing }',
        "        '200': { description: OK }",
        '        2XX: { description: Fine }',
        '',
      ].join('\n'))
      const spec = await loadApiSpec(file)
      assert.deepEqual(spec.operations[0].responses.map((response) => response.status), ['default', '404', '200', '2XX'])
    } finally {
      await rm(dir, { recursive: true, force: true })
    }
  })
})
