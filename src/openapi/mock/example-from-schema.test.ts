import assert from 'node:assert/strict'
import { isIPv4, isIPv6 } from 'node:net'
import { describe, it } from 'node:test'
import { Ajv2020 } from 'ajv/dist/2020.js'
import type { JsonSchema } from '../model.ts'
import { exampleFromSchema } from './index.ts'

// Formats are checked too (ajv alone only knows their names): with checks written here, so a
// generated value that only looks right would fail.
const ajv = new Ajv2020({ strict: false, allowUnionTypes: true, logger: false })
ajv.addVocabulary(['example'])
ajv.addFormat('date-time', /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?(Z|[+-]\d\d:\d\d)$/)
ajv.addFormat('date', /^\d{4}-(0[1-9]|1[0-2])-(0[1-9]|[12]\d|3[01])$/)
ajv.addFormat('time', /^\d\d:\d\d:\d\d(\.\d+)?(Z|[+-]\d\d:\d\d)$/)
ajv.addFormat('email', /^[^\s@]+@[^\s@]+\.[^\s@]+$/)
ajv.addFormat('uuid', /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i)
ajv.addFormat('uri', (value: string) => URL.canParse(value))
ajv.addFormat('ipv4', (value: string) => isIPv4(value))
ajv.addFormat('ipv6', (value: string) => isIPv6(value))
ajv.addFormat('hostname', /^[a-z0-9]([a-z0-9-]*[a-z0-9])?(\.[a-z0-9]([a-z0-9-]*[a-z0-9])?)*$/i)
ajv.addFormat('byte', (value: string) => Buffer.from(value, 'base64').toString('base64') === value)

function assertValid(schema: JsonSchema): unknown {
  const value = exampleFromSchema(schema)
  const validate = ajv.compile(schema)
  assert.ok(validate(value), `${JSON.stringify(value)} does not validate against ${JSON.stringify(schema)}: ${ajv.errorsText(validate.errors)}`)
  return value
}

const ORDINARY_SCHEMAS: Record<string, JsonSchema> = {
  formats: {
    type: 'object',
    properties: Object.fromEntries(['date-time', 'date', 'time', 'email', 'uuid', 'uri', 'ipv4', 'ipv6', 'hostname', 'byte'].map((format) => [format, { type: 'string', format }])),
  },
  enum: { type: 'string', enum: ['red', 'green'] },
  'nullable enum': { type: ['string', 'null'], enum: ['a', null] },
  const: { const: { fixed: true } },
  'allOf with a $ref': {
    $defs: { named: { type: 'object', required: ['name'], properties: { name: { type: 'string', minLength: 3 } } } },
    allOf: [{ $ref: '#/$defs/named' }, { type: 'object', required: ['age'], properties: { age: { type: 'integer', minimum: 18 }, name: { maxLength: 5 } } }],
  },
  'oneOf of distinct types': { oneOf: [{ type: 'integer', minimum: 1 }, { type: 'string' }] },
  'anyOf with null first': { anyOf: [{ type: 'null' }, { type: 'object', required: ['id'], properties: { id: { type: 'string', format: 'uuid' } } }] },
  'nested arrays and objects': {
    type: 'object',
    required: ['matrix', 'owner'],
    properties: {
      matrix: { type: 'array', minItems: 2, items: { type: 'array', items: { type: 'number', maximum: -1 } } },
      owner: { type: 'object', required: ['tags'], properties: { tags: { type: 'array', items: { type: 'string', maxLength: 3 } } } },
    },
  },
  'integer bounds': { type: 'integer', minimum: 10, maximum: 20 },
  'negative integer bounds': { type: 'integer', minimum: -20, maximum: -10.5 },
  'exclusive bounds': { type: 'number', exclusiveMinimum: 0, exclusiveMaximum: 0.5 },
  'exclusive integer bounds': { type: 'integer', exclusiveMinimum: 7 },
  'multipleOf above a minimum': { type: 'integer', minimum: 11, multipleOf: 5 },
  'fractional multipleOf': { type: 'number', exclusiveMinimum: 1, multipleOf: 0.25 },
  'integer with fractional multipleOf': { type: 'integer', minimum: 1, multipleOf: 1.5 },
  'multipleOf below a maximum': { type: 'number', exclusiveMaximum: -2, multipleOf: 2 },
  'string lengths': { type: 'object', properties: { long: { type: 'string', minLength: 12 }, short: { type: 'string', maxLength: 2 } } },
  'type array': { type: ['null', 'boolean'] },
  'items bounds': { type: 'array', minItems: 3, maxItems: 3, items: { type: 'boolean' } },
  'empty array allowed': { type: 'array', maxItems: 0 },
  'tuple': { type: 'array', prefixItems: [{ type: 'string' }, { type: 'integer', minimum: 5 }], items: false },
  'required but undeclared': { type: 'object', required: ['extra'], additionalProperties: { type: 'integer', minimum: 1 } },
  'minProperties': { type: 'object', minProperties: 2, additionalProperties: { type: 'string' } },
  'untyped with properties': { properties: { a: { type: 'boolean' } }, required: ['a'] },
}

describe('exampleFromSchema', () => {
  for (const [name, schema] of Object.entries(ORDINARY_SCHEMAS)) {
    it(`builds a valid value: ${name}`, () => {
      assertValid(schema)
    })
  }

  it('uses example, examples, default, const, enum in that order', () => {
    assert.equal(exampleFromSchema({ type: 'string', example: 'e', examples: ['x'], default: 'd', enum: ['e', 'x', 'd'] }), 'e')
    assert.equal(exampleFromSchema({ type: 'string', examples: ['x'], default: 'd' }), 'x')
    assert.equal(exampleFromSchema({ type: 'string', default: 'd', enum: ['n', 'd'] }), 'd')
    assert.equal(exampleFromSchema({ const: 0, enum: [1, 0] }), 0)
    assert.equal(exampleFromSchema({ enum: [7, 8] }), 7)
  })

  it('takes a referenced schema\'s example', () => {
    assert.deepEqual(exampleFromSchema({ $defs: { pet: { type: 'object', example: { name: 'Rex' } } }, $ref: '#/$defs/pet' }), { name: 'Rex' })
  })

  it('gives the documented values by format and 0 when the bounds allow it', () => {
    assert.deepEqual(exampleFromSchema({ type: 'object', properties: { at: { type: 'string', format: 'date-time' }, mail: { type: 'string', format: 'email' }, n: { type: 'number', minimum: -1 } } }), {
      at: '2026-01-01T00:00:00Z',
      mail: 'user@example.com',
      n: 0,
    })
    assert.equal(exampleFromSchema({ type: 'integer', minimum: 11, multipleOf: 5 }), 15)
    assert.equal(exampleFromSchema({ type: 'integer', exclusiveMinimum: 7 }), 8)
  })

  it('leaves out writeOnly properties and keeps readOnly ones', () => {
    const value = assertValid({
      $defs: { secret: { type: 'string', writeOnly: true } },
      type: 'object',
      properties: { id: { type: 'integer', readOnly: true }, password: { type: 'string', writeOnly: true }, token: { $ref: '#/$defs/secret' } },
    })
    assert.deepEqual(value, { id: 0 })
  })

  it('terminates on a recursive schema and still validates', () => {
    const tree: JsonSchema = {
      $defs: { node: { type: 'object', required: ['name'], properties: { name: { type: 'string' }, children: { type: 'array', items: { $ref: '#/$defs/node' } } } } },
      $ref: '#/$defs/node',
    }
    const value = assertValid(tree)
    let depth = 0
    for (let node = value as { children?: unknown[] }; node.children !== undefined; node = node.children[0] as { children?: unknown[] }) depth++
    assert.ok(depth >= 2 && depth <= 8, `nesting depth ${depth}`)
  })

  it('terminates when recursion is required or references only go round', () => {
    const endless = exampleFromSchema({ type: 'object', required: ['next'], properties: { next: { $ref: '#' } } })
    assert.equal(typeof endless, 'object')
    assert.equal(exampleFromSchema({ $defs: { a: { $ref: '#/$defs/b' }, b: { $ref: '#/$defs/a' } }, $ref: '#/$defs/a' }), null)
    assert.equal(exampleFromSchema({ $defs: { a: { allOf: [{ $ref: '#/$defs/a' }, { $ref: '#/$defs/a' }, { type: 'integer' }] } }, $ref: '#/$defs/a' }), 0)
  })

  it('is deterministic', () => {
    const schema = ORDINARY_SCHEMAS['nested arrays and objects']
    assert.equal(JSON.stringify(exampleFromSchema(schema)), JSON.stringify(exampleFromSchema(structuredClone(schema))))
    assert.equal(JSON.stringify(exampleFromSchema(ORDINARY_SCHEMAS.formats)), JSON.stringify(exampleFromSchema(ORDINARY_SCHEMAS.formats)))
  })

  it('gives null for an empty schema and nothing for false', () => {
    assert.equal(exampleFromSchema({}), null)
    assert.equal(exampleFromSchema(true), null)
    assert.equal(exampleFromSchema(false), undefined)
  })
})
