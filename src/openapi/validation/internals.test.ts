// The building blocks on their own: JSON error positions, media ranges, locations, access modes.
import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { forbidAccessMode } from './access-modes.ts'
import { formatInstancePath } from './issues.ts'
import { jsonSyntaxErrorOffset } from './json-syntax.ts'
import { MediaRanges } from './media-types.ts'
import { FORBIDDEN_KEYWORD } from './spec-ajv.ts'

describe('jsonSyntaxErrorOffset', () => {
  it('agrees with the position V8 states, wherever V8 states one', () => {
    const texts = ['{"a":1', '{a:1}', '"abc', '{"a":1} x', '[1 2]', '{"a" 1}', '1.', '-', '01', '"\\x"', '"\\u12g4"', '{"a":[1,{"b":tru}]}', '[1,]', '{"a":1,}', 'nul', '"a\u0001"']
    let compared = 0
    for (const text of texts) {
      let message = ''
      try {
        JSON.parse(text)
      } catch (error) {
        message = (error as Error).message
      }
      const stated = /at position (\d+)/.exec(message)
      const offset = jsonSyntaxErrorOffset(text)
      assert.notEqual(offset, -1, text)
      if (stated !== null) {
        assert.equal(offset, Number(stated[1]), `${text}: ${message}`)
        compared++
      }
    }
    assert.ok(compared >= 5)
  })

  it('finds the token V8 names without a position', () => {
    assert.equal(jsonSyntaxErrorOffset('{"a": x}'), 6)
    assert.equal(jsonSyntaxErrorOffset('[1,2,]'), 5)
    assert.equal(jsonSyntaxErrorOffset('{"a":1,"b": tru}'), 15)
  })

  it('finds nothing wrong in valid JSON', () => {
    for (const text of ['{}', '[]', ' {"a": [1, -2.5e+3, true, false, null, "x\\n\\u00e9"]} ', '0', '"s"']) assert.equal(jsonSyntaxErrorOffset(text), -1, text)
  })
})

describe('MediaRanges', () => {
  const ranges = new MediaRanges([['application/json', 'json'], ['application/*+json', 'suffix'], ['text/*', 'text'], ['*/*', 'any']] as const)

  it('prefers the most specific range', () => {
    assert.equal(ranges.match('application/json').entry, 'json')
    assert.equal(ranges.match('APPLICATION/JSON ; charset=utf-8').entry, 'json')
    assert.equal(ranges.match('application/merge-patch+json').entry, 'suffix')
    assert.equal(ranges.match('text/csv').entry, 'text')
    assert.equal(ranges.match('image/png').entry, 'any')
  })

  it('says how a body of the type is read', () => {
    assert.equal(ranges.match('application/problem+json').kind, 'json')
    assert.equal(ranges.match('application/x-www-form-urlencoded').kind, 'form')
    assert.equal(ranges.match('text/plain').kind, 'other')
  })

  it('tells a range without an entry from no range at all', () => {
    const withoutEntry = new MediaRanges<undefined>([['text/plain', undefined]])
    assert.equal(withoutEntry.match('text/plain').matched, true)
    assert.equal(withoutEntry.refusal('text/plain'), undefined)
    assert.equal(withoutEntry.match('text/html').matched, false)
  })

  it('accepts nothing malformed but */* would', () => {
    const strict = new MediaRanges([['application/json', 1]])
    assert.equal(strict.match('json').entry, undefined)
    assert.equal(strict.match('application/').entry, undefined)
    assert.match(strict.refusal('x'.repeat(500)) ?? '', /^Content-Type "x{100}…" is not accepted/)
  })
})

describe('formatInstancePath', () => {
  it('writes indexes in brackets and odd names quoted', () => {
    assert.equal(formatInstancePath(''), '')
    assert.equal(formatInstancePath('/items/2/id'), '.items[2].id')
    assert.equal(formatInstancePath('/a~1b/c~0d/x-y'), '["a/b"]["c~d"].x-y')
  })
})

describe('forbidAccessMode', () => {
  it('returns a schema without read-only properties unchanged (the same object)', () => {
    const schema = { type: 'object', properties: { a: { type: 'string', writeOnly: true } } }
    assert.equal(forbidAccessMode(schema, 'request'), schema)
  })

  it('replaces read-only properties, also through $ref, and drops them from required, also across allOf', () => {
    const schema = {
      $defs: { Id: { type: 'integer', readOnly: true } },
      allOf: [{ required: ['id', 'name', 'created'] }, { properties: { created: { type: 'string', readOnly: true } } }],
      properties: { id: { $ref: '#/$defs/Id' }, name: { type: 'string' }, nested: { type: 'object', properties: { v: { readOnly: true } }, required: ['v'] } },
    }
    type Node = { properties: Record<string, Node>; required: string[]; allOf: Node[] }
    const rewritten = forbidAccessMode(schema, 'request') as unknown as Node
    assert.deepEqual(rewritten.properties.id, { [FORBIDDEN_KEYWORD]: 'is read-only and must not be sent' })
    assert.deepEqual(rewritten.properties.nested.properties.v, { [FORBIDDEN_KEYWORD]: 'is read-only and must not be sent' })
    assert.deepEqual(rewritten.properties.nested.required, [])
    assert.deepEqual(rewritten.allOf[0].required, ['name'])
    assert.equal(forbidAccessMode(schema, 'request'), rewritten, 'cached: same output for the same input')
    assert.deepEqual(schema.allOf[0].required, ['id', 'name', 'created'], 'the input is not modified')
  })
})
