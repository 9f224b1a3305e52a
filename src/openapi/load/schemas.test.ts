import { test, describe } from 'node:test'
import assert from 'node:assert/strict'
import { mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { Ajv2020 } from 'ajv/dist/2020.js'
import type { ApiSpec, JsonSchema, OperationModel } from '../model.ts'
import { loadApiSpec } from './index.ts'

const fixture = (path: string): string => fileURLToPath(new URL(`../../../test/fixtures/openapi/${path}`, import.meta.url))

function operation(spec: ApiSpec, operationId: string): OperationModel {
  const found = spec.operations.find((candidate) => candidate.operationId === operationId)
  assert.ok(found, `operation ${operationId}`)
  return found
}

function jsonSchema(op: OperationModel, where: 'request' | 'response'): JsonSchema {
  const content = where === 'request' ? op.requestBody?.content : op.responses[0].content
  const schema = content?.['application/json']?.schema
  assert.ok(schema !== undefined, `${op.operationId} ${where} schema`)
  return schema
}

/** Every schema a spec hands out: parameters, bodies, response headers and bodies. */
function allSchemas(spec: ApiSpec): [string, JsonSchema][] {
  const found: [string, JsonSchema][] = []
  for (const op of spec.operations) {
    for (const parameter of op.parameters) found.push([parameter.pointer, parameter.schema])
    for (const [type, media] of Object.entries(op.requestBody?.content ?? {})) if (media.schema !== undefined) found.push([`${op.pointer} request ${type}`, media.schema])
    for (const response of op.responses) {
      for (const [name, header] of Object.entries(response.headers)) found.push([`${op.pointer} ${response.status} header ${name}`, header.schema])
      for (const [type, media] of Object.entries(response.content)) if (media.schema !== undefined) found.push([`${op.pointer} ${response.status} ${type}`, media.schema])
    }
  }
  return found
}

async function withDocument(lines: string[], run: (file: string) => Promise<void>): Promise<void> {
  const dir = await mkdtemp(join(tmpdir(), 'gatehouse-spec-'))
  try {
    const file = join(dir, 'api.yaml')
    await writeFile(file, lines.join('\n') + '\n')
    await run(file)
  } finally {
    await rm(dir, { recursive: true, force: true })
  }
}

describe('schemas', () => {
  test('a recursive schema becomes $ref into its own $defs, compiles and validates a tree', async () => {
    const spec = await loadApiSpec(fixture('broken/circular-ref.yaml'))
    const tree = jsonSchema(operation(spec, 'getTree'), 'response')
    assert.deepEqual(tree, {
      $ref: '#/$defs/Node',
      $defs: {
        Node: {
          type: 'object',
          required: ['name'],
          properties: { name: { type: 'string' }, children: { type: 'array', items: { $ref: '#/$defs/Node' } } },
        },
      },
    })
    const validate = new Ajv2020({ strict: false }).compile(tree as object)
    assert.equal(validate({ name: 'root', children: [{ name: 'a', children: [{ name: 'a1' }] }, { name: 'b' }] }), true)
    assert.equal(validate({ name: 'root', children: [{ name: 'a', children: [{ children: [] }] }] }), false, 'a nameless grandchild is refused')
  })

  test('mutual recursion inside a larger schema: each target once in $defs, referred to at every use', async () => {
    const spec = await loadApiSpec(fixture('broken/circular-ref.yaml'))
    const forest = jsonSchema(operation(spec, 'getForest'), 'response') as Record<string, unknown>
    assert.deepEqual(Object.keys(forest.$defs as object).sort(), ['Folder', 'Node'])
    assert.deepEqual(forest.properties, { trees: { type: 'array', items: { $ref: '#/$defs/Node' } }, folders: { type: 'array', items: { $ref: '#/$defs/Folder' } } })
    const validate = new Ajv2020({ strict: false }).compile(forest)
    assert.equal(validate({ trees: [{ name: 't' }], folders: [{ name: 'f', files: [{ name: 'x', parent: null }], folders: [{ name: 'g', files: [{ name: 'y', parent: { name: 'g' } }] }] }] }), true)
    assert.equal(validate({ folders: [{ files: [{ parent: { name: 5 } }] }] }), false)
  })

  test('the same component used twice gives two independent schemas', async () => {
    const spec = await loadApiSpec(fixture('broken/circular-ref.yaml'))
    const inResponse = jsonSchema(operation(spec, 'getTree'), 'response') as Record<string, Record<string, Record<string, unknown>>>
    const inRequest = jsonSchema(operation(spec, 'replaceTree'), 'request') as Record<string, Record<string, Record<string, unknown>>>
    assert.deepEqual(inRequest, inResponse)
    assert.notEqual(inRequest.$defs.Node, inResponse.$defs.Node)
    inRequest.$defs.Node.required = ['changed']
    assert.deepEqual(inResponse.$defs.Node.required, ['name'])
    const again = await loadApiSpec(fixture('broken/circular-ref.yaml'))
    assert.deepEqual(jsonSchema(operation(again, 'replaceTree'), 'request'), inResponse, 'a second load is not affected by edits of the first')
  })

  test('3.0 rewrites: nullable (with and without type, with enum), boolean exclusiveMinimum, dropped annotations', async () => {
    const spec = await loadApiSpec(fixture('oas30/shop.yaml'))
    const product = jsonSchema(operation(spec, 'addProduct'), 'request') as Record<string, Record<string, unknown>>
    assert.deepEqual(product.properties.price, { type: 'number', exclusiveMinimum: 0 })
    assert.deepEqual(product.properties.discount, { type: ['number', 'null'], maximum: 100 })
    assert.deepEqual(product.properties.size, { type: ['string', 'null'], enum: ['S', 'M', 'L', null] })
    assert.deepEqual(product.properties.supplier, { anyOf: [{ allOf: [{ type: 'object', properties: { name: { type: 'string' } } }] }, { type: 'null' }] })
    for (const keyword of ['discriminator', 'externalDocs', 'x-internal-id', 'nullable']) assert.equal(keyword in product, false, keyword)
    const validate = new Ajv2020({ strict: false }).compile(product)
    assert.equal(validate({ name: 'Tea', price: 1, discount: null, size: null, supplier: null }), true)
    assert.equal(validate({ name: 'Tea', price: 0 }), false, 'price must be above 0')
  })

  test('2.0 rewrites: x-nullable, exclusiveMaximum: false dropped, readOnly kept, xml/example/x- dropped', async () => {
    const spec = await loadApiSpec(fixture('swagger2/shop.yaml'))
    const product = jsonSchema(operation(spec, 'addProduct'), 'request') as Record<string, Record<string, unknown>>
    assert.deepEqual(product.properties.discount, { type: ['number', 'null'], maximum: 100 })
    assert.deepEqual(product.properties.id, { type: 'integer', readOnly: true })
    assert.deepEqual(product.properties.name, { type: 'string', minLength: 1 })
    for (const keyword of ['xml', 'example']) assert.equal(keyword in product, false, keyword)
  })

  test('3.1: only non-validation keywords go; properties named like them stay; $ref siblings apply', async () => {
    await withDocument([
      'openapi: 3.1.0',
      'info: { title: T, version: "1" }',
      'paths:',
      '  /data:',
      '    post:',
      '      requestBody:',
      '        content:',
      '          application/json:',
      '            schema:',
      '              $schema: https://json-schema.org/draft/2020-12/schema',
      '              type: object',
      '              example: { x: 1 }',
      '              x-owner: team',
      '              xml: { name: thing }',
      '              externalDocs: { url: https://example.com }',
      '              discriminator: { propertyName: kind }',
      '              properties:',
      '                example: { type: string }',
      '                x-flag: { type: boolean }',
      '                kind: { $id: "https://example.com/kind", type: string, const: thing, deprecated: true }',
      '                tags:',
      "                  $ref: '#/components/schemas/Tags'",
      '                  maxItems: 2',
      '                  description: At most two',
      '      responses:',
      "        '204': { description: Done }",
      'components:',
      '  schemas:',
      '    Tags: { type: array, items: { type: string }, examples: [[a, b]] }',
    ], async (file) => {
      const spec = await loadApiSpec(file)
      assert.deepEqual(jsonSchema(spec.operations[0], 'request'), {
        type: 'object',
        properties: {
          example: { type: 'string' },
          'x-flag': { type: 'boolean' },
          kind: { type: 'string', const: 'thing', deprecated: true },
          tags: { maxItems: 2, description: 'At most two', allOf: [{ type: 'array', items: { type: 'string' }, examples: [['a', 'b']] }] },
        },
      })
    })
  })

  test('every schema of every loadable fixture compiles in the 2020-12 dialect without unknown keywords', async () => {
    const files = ['swagger2/api_a.yaml', 'swagger2/shop.yaml', 'oas30/api_a.yaml', 'oas30/shop.yaml', 'oas31/api_a.yaml', 'params.yaml', 'multi-file/api.yaml', 'broken/circular-ref.yaml']
    let count = 0
    for (const file of files) {
      for (const [where, schema] of allSchemas(await loadApiSpec(fixture(file)))) {
        // strictSchema: an unknown keyword (example, x-…, nullable …) would throw here.
        const ajv = new Ajv2020({ strictSchema: true, strictTypes: false, strictTuples: false, validateFormats: false })
        assert.doesNotThrow(() => ajv.compile(schema as object), `${file} ${where}`)
        count++
      }
    }
    assert.ok(count > 50, `${count} schemas checked`)
  })
})
