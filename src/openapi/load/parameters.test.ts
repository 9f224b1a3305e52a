import { test, describe, before } from 'node:test'
import assert from 'node:assert/strict'
import { fileURLToPath } from 'node:url'
import type { ApiSpec, OperationModel, ParameterModel } from '../model.ts'
import { loadApiSpec } from './index.ts'

const fixture = (path: string): string => fileURLToPath(new URL(`../../../test/fixtures/openapi/${path}`, import.meta.url))

function operation(spec: ApiSpec, operationId: string): OperationModel {
  const found = spec.operations.find((candidate) => candidate.operationId === operationId)
  assert.ok(found, `operation ${operationId}`)
  return found
}

function parameter(op: OperationModel, name: string): ParameterModel {
  const found = op.parameters.find((candidate) => candidate.name === name)
  assert.ok(found, `parameter ${name}`)
  return found
}

const styleOf = (p: ParameterModel) => [p.style, p.explode]

describe('parameters: OpenAPI 3 (params.yaml)', () => {
  let spec: ApiSpec
  before(async () => {
    spec = await loadApiSpec(fixture('params.yaml'))
  })

  test('defaults: path and header simple without explode, query and cookie form with explode', () => {
    assert.deepEqual(styleOf(parameter(operation(spec, 'getPathSimple'), 'arr')), ['simple', false])
    assert.deepEqual(styleOf(parameter(operation(spec, 'getQuery'), 'tags')), ['form', true])
    assert.deepEqual(styleOf(parameter(operation(spec, 'getHeaders'), 'X-Tags')), ['simple', false])
    assert.deepEqual(styleOf(parameter(operation(spec, 'getCookies'), 'session')), ['form', true])
    const limit = parameter(operation(spec, 'getQuery'), 'limit')
    assert.equal(limit.allowReserved, false)
    assert.equal(limit.allowEmptyValue, false)
  })

  test('explicit styles and explode are kept for every location', () => {
    const expectations: [string, string, [string, boolean]][] = [
      ['getPathSimpleExploded', 'obj', ['simple', true]],
      ['getPathLabel', 'arr', ['label', false]],
      ['getPathLabelExploded', 'obj', ['label', true]],
      ['getPathMatrix', 'prim', ['matrix', false]],
      ['getPathMatrixExploded', 'arr', ['matrix', true]],
      ['getQuery', 'tagList', ['form', false]],
      ['getQuery', 'pointList', ['form', false]],
      ['getQuery', 'spaced', ['spaceDelimited', false]],
      ['getQuery', 'piped', ['pipeDelimited', false]],
      ['getQuery', 'filter', ['deepObject', true]],
      ['getHeaders', 'X-Point', ['simple', true]],
      ['getCookies', 'ids', ['form', false]],
    ]
    for (const [operationId, name, expected] of expectations) assert.deepEqual(styleOf(parameter(operation(spec, operationId), name)), expected, `${operationId} ${name}`)
  })

  test('a content-described parameter carries its media type and that media type\'s schema', () => {
    const search = parameter(operation(spec, 'getQuery'), 'search')
    assert.equal(search.contentType, 'application/json')
    assert.deepEqual((search.schema as Record<string, unknown>).required, ['text'])
    assert.equal(parameter(operation(spec, 'getQuery'), 'limit').contentType, undefined)
  })

  test('required, bounds, allowReserved and allowEmptyValue come through; path parameters are always required', () => {
    const limit = parameter(operation(spec, 'getQuery'), 'limit')
    assert.equal(limit.required, true)
    assert.deepEqual(limit.schema, { type: 'integer', minimum: 1, maximum: 100 })
    const q = parameter(operation(spec, 'getQuery'), 'q')
    assert.deepEqual([q.required, q.allowReserved, q.allowEmptyValue], [false, true, true])
    for (const op of spec.operations) for (const p of op.parameters) if (p.in === 'path') assert.equal(p.required, true)
  })

  test('a path-level parameter applies to the operations of its path, pointed at where it is listed', () => {
    const id = parameter(operation(spec, 'getUser'), 'id')
    assert.equal(id.pointer, '#/paths/~1users~1{id}/parameters/0')
    assert.deepEqual(id.schema, { type: 'integer', minimum: 1 })
    assert.equal(operation(spec, 'getCurrentUser').parameters.length, 0)
  })

  test('operations come in document order, one per path and method', () => {
    assert.deepEqual(spec.operations.map((op) => op.operationId), [
      'getPathSimple', 'getPathSimpleExploded', 'getPathLabel', 'getPathLabelExploded', 'getPathMatrix', 'getPathMatrixExploded',
      'getQuery', 'getHeaders', 'getCookies', 'createUser', 'getCurrentUser', 'getUser',
    ])
    assert.equal(operation(spec, 'getUser').pointer, '#/paths/~1users~1{id}/get')
  })
})

describe('parameters: Swagger 2.0 (swagger2/shop.yaml)', () => {
  let spec: ApiSpec
  before(async () => {
    spec = await loadApiSpec(fixture('swagger2/shop.yaml'))
  })

  test('collectionFormat maps onto styles: csv, multi, ssv, pipes; csv in a header is simple', () => {
    const list = operation(spec, 'listProducts')
    assert.deepEqual(styleOf(parameter(list, 'ids')), ['form', false])
    assert.deepEqual(styleOf(parameter(list, 'tags')), ['form', true])
    assert.deepEqual(styleOf(parameter(list, 'words')), ['spaceDelimited', false])
    assert.deepEqual(styleOf(parameter(list, 'sizes')), ['pipeDelimited', false])
    assert.deepEqual(styleOf(parameter(list, 'X-Features')), ['simple', false])
    assert.deepEqual(styleOf(parameter(operation(spec, 'getProduct'), 'productId')), ['simple', false])
  })

  test('type, items, enum and bounds become the schema; boolean exclusiveMinimum becomes numeric', () => {
    const list = operation(spec, 'listProducts')
    assert.deepEqual(parameter(list, 'sizes').schema, { type: 'array', items: { type: 'string', enum: ['S', 'M', 'L'] } })
    assert.deepEqual(parameter(list, 'minPrice').schema, { type: 'number', exclusiveMinimum: 0 })
  })

  test('an operation parameter overrides the path-level one with the same name and location', () => {
    assert.equal(parameter(operation(spec, 'getProduct'), 'verbose').required, false)
    const remove = operation(spec, 'deleteProduct')
    assert.equal(parameter(remove, 'verbose').required, true)
    assert.equal(parameter(remove, 'verbose').pointer, '#/paths/~1products~1{productId}/delete/parameters/0')
    assert.deepEqual(remove.parameters.map((p) => p.name), ['productId', 'verbose'])
  })

  test('an in: body parameter becomes the request body, one media type per consumes entry', () => {
    const add = operation(spec, 'addProduct')
    assert.equal(add.parameters.length, 0)
    assert.equal(add.requestBody?.required, true)
    assert.deepEqual(Object.keys(add.requestBody?.content ?? {}), ['application/json', 'application/xml'])
    assert.deepEqual(add.requestBody?.content['application/json'].schema, add.requestBody?.content['application/xml'].schema)
    assert.equal(add.requestBody?.pointer, '#/paths/~1products/post/parameters/0')
  })

  test('in: formData parameters become an object schema, URL-encoded or multipart as consumes says', () => {
    const login = operation(spec, 'login').requestBody
    assert.deepEqual(Object.keys(login?.content ?? {}), ['application/x-www-form-urlencoded'])
    assert.deepEqual(login?.content['application/x-www-form-urlencoded'].schema, {
      type: 'object',
      properties: { username: { type: 'string' }, password: { type: 'string', format: 'password' }, remember: { type: 'boolean', default: false } },
      required: ['username', 'password'],
    })
    const upload = operation(spec, 'uploadImage')
    assert.deepEqual(upload.parameters.map((p) => p.name), ['productId'])
    assert.deepEqual(upload.requestBody?.content['multipart/form-data'].schema, {
      type: 'object',
      properties: { image: {}, caption: { type: 'string', maxLength: 200 } },
      required: ['image'],
    })
    assert.equal(upload.requestBody?.required, true)
  })
})
