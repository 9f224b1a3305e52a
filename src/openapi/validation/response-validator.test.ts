import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { compileResponseValidator, createSpecAjv, NO_ISSUES } from './index.ts'
import { operation, response } from './models.fixture.ts'

const ajv = createSpecAjv()
const json = (value: unknown): Buffer => Buffer.from(JSON.stringify(value))
const shaped = (required: string) => ({ 'application/json': { schema: { type: 'object', required: [required] } } })

describe('response selection', () => {
  const validator = compileResponseValidator(operation({
    responses: [response('2XX', shaped('range')), response('200', shaped('exact')), response('default', shaped('fallback'))],
  }), { ajv })

  it('takes the exact status first', () => {
    assert.deepEqual(validator.validate(200, 'application/json', json({})), [{ location: 'response.body.exact', message: 'is required' }])
  })

  it('then the status range', () => {
    assert.deepEqual(validator.validate(201, 'application/json', json({})), [{ location: 'response.body.range', message: 'is required' }])
  })

  it('then default', () => {
    assert.deepEqual(validator.validate(503, 'application/json', json({})), [{ location: 'response.body.fallback', message: 'is required' }])
    assert.equal(validator.validate(503, 'application/json', json({ fallback: 1 })), NO_ISSUES)
  })

  it('reports a status nothing declares', () => {
    const strict = compileResponseValidator(operation({ responses: [response('200', shaped('a'))] }), { ajv })
    assert.deepEqual(strict.validate(404, 'application/json', json({})), [{ location: 'response.status', message: '404 is not a declared status of this operation' }])
  })

  it('reads lower-case ranges (2xx) too', () => {
    const lower = compileResponseValidator(operation({ responses: [response('2xx', shaped('a'))] }), { ajv })
    assert.deepEqual(lower.validate(204, 'application/json', json({})), [{ location: 'response.body.a', message: 'is required' }])
  })
})

describe('response bodies', () => {
  const account = {
    type: 'object',
    additionalProperties: false,
    required: ['id', 'password'],
    properties: { id: { type: 'integer' }, password: { type: 'string', writeOnly: true } },
  }
  const validator = compileResponseValidator(operation({ responses: [response('200', { 'application/json': { schema: account }, 'text/plain': {} })] }), { ajv })

  it('refuses a write-only property in a response, and does not require it', () => {
    assert.equal(validator.validate(200, 'application/json', json({ id: 1 })), NO_ISSUES)
    assert.deepEqual(validator.validate(200, 'application/json; charset=utf-8', json({ id: 1, password: 'x' })), [
      { location: 'response.body.password', message: 'is write-only and must not be returned' },
    ])
  })

  it('reports invalid JSON and an undeclared Content-Type', () => {
    assert.deepEqual(validator.validate(200, 'application/json', Buffer.from('{"id":')), [{ location: 'response.body', message: 'is not valid JSON (unexpected end, at position 6, line 1 column 7)' }])
    assert.deepEqual(validator.validate(200, 'text/html', Buffer.from('<p>')), [
      { location: 'response.header.content-type', message: 'Content-Type "text/html" is not accepted; expected application/json, text/plain' },
    ])
  })

  it('leaves bodies without a schema, and empty bodies, alone', () => {
    assert.equal(validator.validate(200, 'text/plain', Buffer.from('hello')), NO_ISSUES)
    assert.equal(validator.validate(200, undefined, undefined), NO_ISSUES)
    assert.equal(validator.validate(200, 'application/json', Buffer.alloc(0)), NO_ISSUES)
  })
})
