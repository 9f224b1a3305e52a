// Every serialisation style of OpenAPI 3, read back: one row per location × style × explode ×
// value shape, with the decoded and coerced value it must give (the examples of the
// specification's "Style Examples" table, with the value 5, [3, 4, 5] or {R: 100, G: 200, B: 150}).
import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import type { JsonSchema, ParameterLocation, ParameterStyle } from '../model.ts'
import { parameter } from './models.fixture.ts'
import { decodeParameters } from './parameters.ts'
import { createSpecAjv } from './spec-ajv.ts'

const ajv = createSpecAjv()
const integer = { type: 'integer' }
const schemas: Record<string, JsonSchema> = {
  primitive: integer,
  array: { type: 'array', items: integer },
  object: { type: 'object', properties: { R: integer, G: integer, B: integer } },
  string: { type: 'string' },
  strings: { type: 'array', items: { type: 'string' } },
}
const five = 5
const list = [3, 4, 5]
const rgb = { R: 100, G: 200, B: 150 }

interface Row {
  in: ParameterLocation
  style: ParameterStyle
  explode: boolean
  schema: keyof typeof schemas
  /** Path: the router's value; query: the query string; header: the header value; cookie: the Cookie header. */
  raw: string | string[]
  expected: unknown
  allowReserved?: boolean
}

const rows: Row[] = [
  // path, simple
  { in: 'path', style: 'simple', explode: false, schema: 'primitive', raw: '5', expected: five },
  { in: 'path', style: 'simple', explode: true, schema: 'primitive', raw: '5', expected: five },
  { in: 'path', style: 'simple', explode: false, schema: 'array', raw: '3,4,5', expected: list },
  { in: 'path', style: 'simple', explode: true, schema: 'array', raw: '3,4,5', expected: list },
  { in: 'path', style: 'simple', explode: false, schema: 'object', raw: 'R,100,G,200,B,150', expected: rgb },
  { in: 'path', style: 'simple', explode: true, schema: 'object', raw: 'R=100,G=200,B=150', expected: rgb },
  { in: 'path', style: 'simple', explode: false, schema: 'strings', raw: 'a%2Cb,c%20d', expected: ['a,b', 'c d'] },
  { in: 'path', style: 'simple', explode: false, schema: 'string', raw: 'a+b', expected: 'a+b' },
  // path, label
  { in: 'path', style: 'label', explode: false, schema: 'primitive', raw: '.5', expected: five },
  { in: 'path', style: 'label', explode: true, schema: 'primitive', raw: '.5', expected: five },
  { in: 'path', style: 'label', explode: false, schema: 'array', raw: '.3,4,5', expected: list },
  { in: 'path', style: 'label', explode: false, schema: 'array', raw: '.3.4.5', expected: list },
  { in: 'path', style: 'label', explode: true, schema: 'array', raw: '.3.4.5', expected: list },
  { in: 'path', style: 'label', explode: false, schema: 'object', raw: '.R,100,G,200,B,150', expected: rgb },
  { in: 'path', style: 'label', explode: false, schema: 'object', raw: '.R.100.G.200.B.150', expected: rgb },
  { in: 'path', style: 'label', explode: true, schema: 'object', raw: '.R=100.G=200.B=150', expected: rgb },
  { in: 'path', style: 'label', explode: false, schema: 'string', raw: '.a%2Eb', expected: 'a.b' },
  // path, matrix
  { in: 'path', style: 'matrix', explode: false, schema: 'primitive', raw: ';id=5', expected: five },
  { in: 'path', style: 'matrix', explode: true, schema: 'primitive', raw: ';id=5', expected: five },
  { in: 'path', style: 'matrix', explode: false, schema: 'array', raw: ';id=3,4,5', expected: list },
  { in: 'path', style: 'matrix', explode: true, schema: 'array', raw: ';id=3;id=4;id=5', expected: list },
  { in: 'path', style: 'matrix', explode: false, schema: 'object', raw: ';id=R,100,G,200,B,150', expected: rgb },
  { in: 'path', style: 'matrix', explode: true, schema: 'object', raw: ';R=100;G=200;B=150', expected: rgb },
  { in: 'path', style: 'matrix', explode: false, schema: 'string', raw: ';id', expected: '' },
  // query, form
  { in: 'query', style: 'form', explode: true, schema: 'primitive', raw: 'other=1&id=5', expected: five },
  { in: 'query', style: 'form', explode: false, schema: 'primitive', raw: 'id=5', expected: five },
  { in: 'query', style: 'form', explode: true, schema: 'array', raw: 'id=3&x=y&id=4&id=5', expected: list },
  { in: 'query', style: 'form', explode: false, schema: 'array', raw: 'id=3,4,5', expected: list },
  { in: 'query', style: 'form', explode: true, schema: 'object', raw: 'R=100&G=200&B=150&unrelated=x', expected: rgb },
  { in: 'query', style: 'form', explode: false, schema: 'object', raw: 'id=R,100,G,200,B,150', expected: rgb },
  { in: 'query', style: 'form', explode: true, schema: 'string', raw: 'id=a+b%2Bc', expected: 'a b+c' },
  { in: 'query', style: 'form', explode: true, schema: 'string', raw: 'id=a+b', expected: 'a+b', allowReserved: true },
  { in: 'query', style: 'form', explode: false, schema: 'strings', raw: 'id=a%2Cb,c', expected: ['a,b', 'c'] },
  { in: 'query', style: 'form', explode: true, schema: 'string', raw: 'i%64=encoded-key', expected: 'encoded-key' },
  // query, spaceDelimited / pipeDelimited / deepObject
  { in: 'query', style: 'spaceDelimited', explode: false, schema: 'array', raw: 'id=3%204%205', expected: list },
  { in: 'query', style: 'spaceDelimited', explode: false, schema: 'array', raw: 'id=3+4+5', expected: list },
  { in: 'query', style: 'spaceDelimited', explode: true, schema: 'array', raw: 'id=3&id=4&id=5', expected: list },
  { in: 'query', style: 'spaceDelimited', explode: false, schema: 'object', raw: 'id=R%20100%20G%20200%20B%20150', expected: rgb },
  { in: 'query', style: 'pipeDelimited', explode: false, schema: 'array', raw: 'id=3|4|5', expected: list },
  { in: 'query', style: 'pipeDelimited', explode: false, schema: 'array', raw: 'id=3%7C4%7c5', expected: list },
  { in: 'query', style: 'pipeDelimited', explode: true, schema: 'array', raw: 'id=3&id=4&id=5', expected: list },
  { in: 'query', style: 'pipeDelimited', explode: false, schema: 'object', raw: 'id=R|100|G|200|B|150', expected: rgb },
  { in: 'query', style: 'deepObject', explode: true, schema: 'object', raw: 'id[R]=100&id[G]=200&id[B]=150', expected: rgb },
  { in: 'query', style: 'deepObject', explode: true, schema: 'object', raw: 'id%5BR%5D=100&id%5BG%5D=200&id%5BB%5D=150', expected: rgb },
  // header, simple
  { in: 'header', style: 'simple', explode: false, schema: 'primitive', raw: '5', expected: five },
  { in: 'header', style: 'simple', explode: true, schema: 'primitive', raw: ' 5 ', expected: five },
  { in: 'header', style: 'simple', explode: false, schema: 'array', raw: '3, 4,5', expected: list },
  { in: 'header', style: 'simple', explode: true, schema: 'array', raw: '3,4,5', expected: list },
  { in: 'header', style: 'simple', explode: false, schema: 'array', raw: ['3', '4, 5'], expected: list },
  { in: 'header', style: 'simple', explode: false, schema: 'object', raw: 'R,100,G,200,B,150', expected: rgb },
  { in: 'header', style: 'simple', explode: true, schema: 'object', raw: 'R=100, G=200, B=150', expected: rgb },
  { in: 'header', style: 'simple', explode: false, schema: 'string', raw: '100%', expected: '100%' },
  // cookie, form
  { in: 'cookie', style: 'form', explode: true, schema: 'primitive', raw: 'other=1; id=5', expected: five },
  { in: 'cookie', style: 'form', explode: false, schema: 'primitive', raw: 'id=5', expected: five },
  { in: 'cookie', style: 'form', explode: false, schema: 'array', raw: 'id=3,4,5', expected: list },
  { in: 'cookie', style: 'form', explode: true, schema: 'array', raw: 'id=3; id=4; id=5', expected: list },
  { in: 'cookie', style: 'form', explode: false, schema: 'object', raw: 'id=R,100,G,200,B,150', expected: rgb },
  { in: 'cookie', style: 'form', explode: true, schema: 'object', raw: 'R=100; G=200; B=150', expected: rgb },
  { in: 'cookie', style: 'form', explode: true, schema: 'string', raw: 'id="a%20b+c"', expected: 'a b+c' },
]

function partsFor(row: Row): Parameters<typeof decodeParameters>[1] {
  if (row.in === 'path') return { pathParams: { id: row.raw as string }, query: '', headers: {} }
  if (row.in === 'query') return { pathParams: {}, query: row.raw as string, headers: {} }
  if (row.in === 'header') return { pathParams: {}, query: '', headers: { 'x-id': row.raw } }
  return { pathParams: {}, query: '', headers: { cookie: row.raw } }
}

describe('parameter styles', () => {
  for (const row of rows) {
    const name = row.in === 'header' ? 'X-Id' : 'id'
    const title = `${row.in} ${row.style} explode=${row.explode} ${row.schema}: ${JSON.stringify(row.raw)}${row.allowReserved === true ? ' (allowReserved)' : ''}`
    it(title, () => {
      const model = parameter({ name, in: row.in, style: row.style, explode: row.explode, schema: schemas[row.schema], allowReserved: row.allowReserved ?? false })
      const { values, issues } = decodeParameters([model], partsFor(row), { ajv })
      assert.deepEqual(issues, [])
      assert.deepEqual(values[`${row.in}.${name.toLowerCase()}`], row.expected)
    })
  }
})

describe('values that do not follow their style', () => {
  const cases: Array<{ title: string; row: Omit<Row, 'expected'>; location: string; message: string }> = [
    { title: 'label without the leading dot', row: { in: 'path', style: 'label', explode: false, schema: 'primitive', raw: '5' }, location: 'path.id', message: "must be label-style (starting with '.')" },
    { title: 'matrix of another name', row: { in: 'path', style: 'matrix', explode: false, schema: 'primitive', raw: ';other=5' }, location: 'path.id', message: 'must be matrix-style (;id=…)' },
    { title: 'exploded matrix list with a stranger', row: { in: 'path', style: 'matrix', explode: true, schema: 'array', raw: ';id=3;x=4' }, location: 'path.id', message: 'must be matrix-style (;id=…)' },
    { title: 'object with an odd number of items', row: { in: 'path', style: 'simple', explode: false, schema: 'object', raw: 'R,100,G' }, location: 'path.id', message: 'must be a list of key,value pairs' },
    { title: 'exploded object item without =', row: { in: 'path', style: 'simple', explode: true, schema: 'object', raw: 'R=100,G' }, location: 'path.id', message: 'must be a list of key=value pairs' },
    { title: 'malformed percent-encoding in a path', row: { in: 'path', style: 'simple', explode: false, schema: 'string', raw: 'a%zz' }, location: 'path.id', message: 'has invalid percent-encoding' },
    { title: 'malformed percent-encoding in a query list', row: { in: 'query', style: 'form', explode: false, schema: 'strings', raw: 'id=a,%E0%A4%A' }, location: 'query.id', message: 'has invalid percent-encoding' },
  ]
  for (const { title, row, location, message } of cases) {
    it(title, () => {
      const model = parameter({ name: 'id', in: row.in, style: row.style, explode: row.explode, schema: schemas[row.schema] })
      const { issues } = decodeParameters([model], partsFor({ ...row, expected: undefined }), { ajv })
      assert.deepEqual(issues, [{ location, message }])
    })
  }
})

describe('coercion by schema type', () => {
  const decodeOne = (schema: JsonSchema, query: string): unknown =>
    decodeParameters([parameter({ name: 'v', in: 'query', schema })], { pathParams: {}, query, headers: {} }, { ajv }).values['query.v']

  it('reads numbers, booleans and nulls only where the schema allows them', () => {
    assert.equal(decodeOne({ type: 'number' }, 'v=1.5e2'), 150)
    assert.equal(decodeOne({ type: 'boolean' }, 'v=false'), false)
    assert.equal(decodeOne({ type: ['integer', 'null'] }, 'v=null'), null)
    assert.equal(decodeOne({ type: 'string' }, 'v=42'), '42')
    assert.equal(decodeOne({ anyOf: [{ type: 'integer' }, { type: 'string', enum: ['auto'] }] }, 'v=7'), 7)
    assert.equal(decodeOne({ enum: [1, 2, 3] }, 'v=2'), 2)
    assert.equal(decodeOne({ $ref: '#/$defs/Count', $defs: { Count: { type: 'integer' } } }, 'v=9'), 9)
  })

  it('leaves what is not a number as text, for ajv to report', () => {
    assert.equal(decodeOne({ type: 'integer' }, 'v=0x10'), '0x10')
    assert.equal(decodeOne({ type: 'integer' }, 'v=%201'), ' 1')
    assert.equal(decodeOne({ type: 'boolean' }, 'v=yes'), 'yes')
  })

  it('coerces each property of an object by its own schema, arrays from repeated keys', () => {
    const schema = { type: 'object', properties: { n: { type: 'integer' }, on: { type: 'boolean' }, tags: { type: 'array', items: { type: 'integer' } } } }
    const { values } = decodeParameters([parameter({ name: 'f', in: 'query', style: 'deepObject', explode: true, schema })], { pathParams: {}, query: 'f[n]=1&f[on]=true&f[tags]=2&f[tags]=3&f[s]=x', headers: {} }, { ajv })
    assert.deepEqual(values['query.f'], { n: 1, on: true, tags: [2, 3], s: 'x' })
  })

  it('keeps a __proto__ key as data', () => {
    const { values } = decodeParameters([parameter({ name: 'f', in: 'query', style: 'deepObject', explode: true, schema: { type: 'object' } })], { pathParams: {}, query: 'f[__proto__]=x', headers: {} }, { ajv })
    const value = values['query.f'] as Record<string, unknown>
    assert.equal(Object.getPrototypeOf(value), Object.prototype)
    assert.equal(Object.getOwnPropertyDescriptor(value, '__proto__')?.value, 'x')
  })
})
