import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import type { JsonSchema } from '../model.ts'
import { compileRequestValidator, createSpecAjv, MAX_ISSUES, NO_ISSUES, SchemaCompileError } from './index.ts'
import { jsonBody, jsonRequest, operation, parameter, request } from './models.fixture.ts'

const ajv = createSpecAjv()

describe('parameters', () => {
  const listThings = operation({
    parameters: [
      parameter({ name: 'limit', in: 'query', required: true, schema: { type: 'integer', minimum: 1, maximum: 100 } }),
      parameter({ name: 'sort', in: 'query', schema: { type: 'string', enum: ['asc', 'desc'] } }),
      parameter({ name: 'ids', in: 'query', explode: false, schema: { type: 'array', items: { type: 'integer' } } }),
      parameter({ name: 'X-Request-Id', in: 'header', required: true, schema: { type: 'string', format: 'uuid' } }),
      parameter({ name: 'session', in: 'cookie', required: true, schema: { type: 'string', minLength: 8 } }),
    ],
  })
  const validator = compileRequestValidator(listThings, { ajv })
  const goodHeaders = { 'x-request-id': '7d444840-9dc0-11d1-b245-5ffdce74fad2', cookie: 'session=abcdefgh' }

  it('accepts a valid request and returns the shared empty list', () => {
    const issues = validator.validate(request({ query: 'limit=10&sort=asc&ids=1,2&unknown=whatever', headers: goodHeaders }))
    assert.equal(issues, NO_ISSUES)
  })

  it('reports a value that is not of its type instead of failing', () => {
    const issues = validator.validate(request({ query: 'limit=abc&ids=1,x', headers: goodHeaders }))
    assert.deepEqual(issues, [
      { location: 'query.limit', message: 'must be integer' },
      { location: 'query.ids[1]', message: 'must be integer' },
    ])
  })

  it('says what was expected: range and enum', () => {
    const issues = validator.validate(request({ query: 'limit=0&sort=up', headers: goodHeaders }))
    assert.deepEqual(issues, [
      { location: 'query.limit', message: 'must be >= 1' },
      { location: 'query.sort', message: 'must be one of: asc, desc' },
    ])
  })

  it('names each missing required parameter', () => {
    const issues = validator.validate(request())
    assert.deepEqual(issues, [
      { location: 'query.limit', message: 'is required' },
      { location: 'header.x-request-id', message: 'is required' },
      { location: 'cookie.session', message: 'is required' },
    ])
  })

  it('reports a missing path parameter', () => {
    const byId = compileRequestValidator(operation({ parameters: [parameter({ name: 'id', in: 'path', schema: { type: 'integer' } })] }), { ajv })
    assert.deepEqual(byId.validate(request({ pathParams: {} })), [{ location: 'path.id', message: 'is required' }])
    assert.deepEqual(byId.validate(request({ pathParams: { id: '12' } })), [])
  })

  it('never echoes a header value', () => {
    const keyed = compileRequestValidator(operation({ parameters: [parameter({ name: 'X-Api-Key', in: 'header', schema: { type: 'string', pattern: '^k_[a-z]+$' } })] }), { ajv })
    const issues = keyed.validate(request({ headers: { 'x-api-key': 'very-secret-value' } }))
    assert.equal(issues.length, 1)
    assert.equal(issues[0].location, 'header.x-api-key')
    assert.doesNotMatch(JSON.stringify(issues), /very-secret-value/)
  })

  it('ignores header parameters named Accept, Content-Type or Authorization', () => {
    const ignored = compileRequestValidator(operation({ parameters: [parameter({ name: 'Authorization', in: 'header', required: true, schema: { type: 'integer' } })] }), { ajv })
    assert.equal(ignored.validate(request()), NO_ISSUES)
  })

  it('checks OpenAPI formats: int32 range, byte', () => {
    const formats = compileRequestValidator(operation({
      parameters: [
        parameter({ name: 'n', in: 'query', schema: { type: 'integer', format: 'int32' } }),
        parameter({ name: 'b', in: 'query', schema: { type: 'string', format: 'byte' } }),
      ],
    }), { ajv })
    assert.deepEqual(formats.validate(request({ query: 'n=2147483647&b=aGk%3D' })), [])
    assert.deepEqual(formats.validate(request({ query: 'n=2147483648&b=a*b' })), [
      { location: 'query.n', message: 'must match format "int32"' },
      { location: 'query.b', message: 'must match format "byte"' },
    ])
  })
})

describe('allowEmptyValue', () => {
  const withEmpty = (allowEmptyValue: boolean, schema: JsonSchema) =>
    compileRequestValidator(operation({ parameters: [parameter({ name: 'q', in: 'query', allowEmptyValue, schema })] }), { ajv })

  it('refuses an empty value when it is false and the schema refuses an empty string', () => {
    const validator = withEmpty(false, { type: 'integer' })
    assert.deepEqual(validator.validate(request({ query: 'q=' })), [{ location: 'query.q', message: 'must not be empty' }])
    assert.deepEqual(validator.validate(request({ query: 'q' })), [{ location: 'query.q', message: 'must not be empty' }])
    assert.deepEqual(withEmpty(false, { type: 'string', minLength: 1 }).validate(request({ query: 'q=' })), [{ location: 'query.q', message: 'must not be empty' }])
  })

  it('accepts an empty value the schema allows, or when allowEmptyValue is true', () => {
    assert.deepEqual(withEmpty(false, { type: 'string' }).validate(request({ query: 'q=' })), [])
    assert.deepEqual(withEmpty(true, { type: 'integer' }).validate(request({ query: 'q=' })), [])
    assert.deepEqual(withEmpty(true, { type: 'integer' }).validate(request({ query: 'q=x' })), [{ location: 'query.q', message: 'must be integer' }])
  })
})

describe('parameters described by content', () => {
  const filterSchema = { type: 'object', properties: { a: { type: 'integer' } }, required: ['a'] }
  const validator = compileRequestValidator(operation({ parameters: [parameter({ name: 'filter', in: 'query', contentType: 'application/json', schema: filterSchema })] }), { ajv })

  it('parses the value as JSON and validates it', () => {
    assert.deepEqual(validator.validate(request({ query: `filter=${encodeURIComponent('{"a":1}')}` })), [])
    assert.deepEqual(validator.validate(request({ query: `filter=${encodeURIComponent('{"a":"x"}')}` })), [{ location: 'query.filter.a', message: 'must be integer' }])
    assert.deepEqual(validator.validate(request({ query: `filter=${encodeURIComponent('{}')}` })), [{ location: 'query.filter.a', message: 'is required' }])
  })

  it('reports a value that is not JSON', () => {
    assert.deepEqual(validator.validate(request({ query: 'filter={a' })), [{ location: 'query.filter', message: 'is not valid JSON' }])
  })
})

describe('JSON request bodies', () => {
  const itemSchema = { type: 'object', properties: { id: { type: 'integer' } }, required: ['id'] }
  const user = {
    type: 'object',
    additionalProperties: false,
    required: ['id', 'name'],
    properties: {
      id: { type: 'integer', readOnly: true },
      name: { type: 'string', maxLength: 20 },
      items: { type: 'array', items: itemSchema },
      'first name': { type: 'string' },
    },
  }
  const createUser = operation({ method: 'POST', requestBody: jsonBody(user) })
  const validator = compileRequestValidator(createUser, { ajv })

  it('needs the body and accepts a valid one (a read-only property is not required in a request)', () => {
    assert.equal(validator.needsBody, true)
    assert.equal(validator.validate(jsonRequest({ name: 'Ada', items: [{ id: 1 }] })), NO_ISSUES)
  })

  it('PATH-12: a property additionalProperties: false does not allow is named', () => {
    assert.deepEqual(validator.validate(jsonRequest({ name: 'Ada', isAdmin: true })), [{ location: 'body.isAdmin', message: 'is not allowed' }])
  })

  it('PATH-12: a read-only property in a request is refused', () => {
    assert.deepEqual(validator.validate(jsonRequest({ name: 'Ada', id: 7 })), [{ location: 'body.id', message: 'is read-only and must not be sent' }])
  })

  it('PATH-12: a wrong Content-Type is refused before the body is read', () => {
    assert.equal(validator.checkContentType('text/plain', true), 'Content-Type "text/plain" is not accepted; expected application/json')
    assert.equal(validator.checkContentType(undefined, true), 'Content-Type is missing; expected application/json')
    assert.equal(validator.checkContentType('Application/JSON; charset=UTF-8', true), undefined)
    assert.equal(validator.checkContentType(undefined, false), undefined)
    assert.deepEqual(validator.validate(jsonRequest({ name: 'Ada' }, 'text/plain')), [
      { location: 'header.content-type', message: 'Content-Type "text/plain" is not accepted; expected application/json' },
    ])
  })

  it('locates errors deep in the body: indexes, nested names, quoted odd names', () => {
    const issues = validator.validate(jsonRequest({ name: 5, items: [{ id: 1 }, {}, { id: 'x' }], 'first name': 1 }))
    assert.deepEqual(issues, [
      { location: 'body.name', message: 'must be string' },
      { location: 'body.items[1].id', message: 'is required' },
      { location: 'body.items[2].id', message: 'must be integer' },
      { location: 'body["first name"]', message: 'must be string' },
    ])
  })

  it('reports a missing required body, and a missing name', () => {
    assert.deepEqual(validator.validate(request({ method: 'POST', headers: { 'content-type': 'application/json' } })), [{ location: 'body', message: 'is required' }])
    assert.deepEqual(validator.validate(jsonRequest({})), [{ location: 'body.name', message: 'is required' }])
  })

  it('reports invalid JSON with its position, without echoing the body', () => {
    const issues = validator.validate(jsonRequest('{"name": "s3cr3t-token", "x": nope}'))
    assert.deepEqual(issues, [{ location: 'body', message: 'is not valid JSON (at position 31, line 1 column 32)' }])
    assert.deepEqual(validator.validate(jsonRequest('{"name":\n "a"')), [{ location: 'body', message: 'is not valid JSON (unexpected end, at position 13, line 2 column 5)' }])
  })

  it('caps the number of issues a hostile body can cause', () => {
    const items = Array.from({ length: 100 }, () => ({ id: 'x' }))
    const issues = validator.validate(jsonRequest({ name: 'Ada', items }))
    assert.equal(issues.length, MAX_ISSUES)
    assert.deepEqual(issues[MAX_ISSUES - 2], { location: `body.items[${MAX_ISSUES - 2}].id`, message: 'must be integer' })
    assert.deepEqual(issues[MAX_ISSUES - 1], { location: 'request', message: `${100 - (MAX_ISSUES - 1)} more issues not shown` })
  })

  it('does not require a body the operation marks optional', () => {
    const optional = compileRequestValidator(operation({ method: 'POST', requestBody: jsonBody(user, false) }), { ajv })
    assert.equal(optional.validate(request({ method: 'POST' })), NO_ISSUES)
  })
})

describe('media-type ranges', () => {
  const body = (content: Record<string, JsonSchema | undefined>) =>
    compileRequestValidator(operation({
      method: 'POST',
      requestBody: { required: true, pointer: '#/rb', content: Object.fromEntries(Object.entries(content).map(([range, schema]) => [range, schema === undefined ? {} : { schema }])) },
    }), { ajv })

  it('matches suffix and wildcard ranges and validates what they let in as JSON', () => {
    const validator = body({ 'application/*+json': { type: 'object', required: ['type'] }, '*/*': { type: 'array' } })
    assert.equal(validator.checkContentType('application/problem+json', true), undefined)
    assert.deepEqual(validator.validate(jsonRequest({}, 'application/problem+json')), [{ location: 'body.type', message: 'is required' }])
    assert.deepEqual(validator.validate(jsonRequest({}, 'application/json')), [{ location: 'body', message: 'must be array' }])
  })

  it('only checks the Content-Type of bodies it does not read', () => {
    const validator = body({ 'application/octet-stream': { type: 'string', format: 'binary' } })
    assert.equal(validator.needsBody, false)
    assert.equal(validator.checkContentType('application/octet-stream', true), undefined)
    assert.match(validator.checkContentType('application/json', true) ?? '', /not accepted; expected application\/octet-stream/)
  })
})

describe('form bodies', () => {
  const schema = {
    type: 'object',
    additionalProperties: false,
    required: ['name', 'age'],
    properties: { name: { type: 'string' }, age: { type: 'integer', minimum: 0 }, tags: { type: 'array', items: { type: 'integer' } }, ok: { type: 'boolean' } },
  }
  const validator = compileRequestValidator(operation({ method: 'POST', requestBody: jsonBody(schema, true, 'application/x-www-form-urlencoded') }), { ajv })
  const form = (text: string) => request({ method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: Buffer.from(text) })

  it('decodes and coerces the fields, repeated keys as lists', () => {
    assert.equal(validator.needsBody, true)
    assert.equal(validator.validate(form('name=Ada+Lovelace&age=36&tags=1&tags=2&ok=true')), NO_ISSUES)
  })

  it('reports fields of the wrong type, missing and unknown ones', () => {
    assert.deepEqual(validator.validate(form('name=Ada&age=old&tags=x&extra=1')), [
      { location: 'body.extra', message: 'is not allowed' },
      { location: 'body.age', message: 'must be integer' },
      { location: 'body.tags[0]', message: 'must be integer' },
    ])
    assert.deepEqual(validator.validate(form('age=1')), [{ location: 'body.name', message: 'is required' }])
    assert.deepEqual(validator.validate(form('name=%zz&age=1')), [{ location: 'body', message: 'is not valid form data (malformed percent-encoding)' }])
  })
})

describe('compiling', () => {
  it('an operation with nothing declared validates nothing', () => {
    const validator = compileRequestValidator(operation(), { ajv })
    assert.equal(validator.needsBody, false)
    assert.equal(validator.validate(request({ query: 'anything=1', body: Buffer.from('x') })), NO_ISSUES)
  })

  it('a schema ajv cannot compile is a SchemaCompileError naming where it is declared', () => {
    const broken = operation({ parameters: [parameter({ name: 'q', in: 'query', schema: { type: 'string', pattern: '(' } })] })
    assert.throws(() => compileRequestValidator(broken, { ajv }), (error: unknown) => {
      assert.ok(error instanceof SchemaCompileError)
      assert.equal(error.code, 'GH_ERR_CONFIG_SPEC')
      assert.equal(error.pointer, '#/paths/~1things/get/parameters/q/schema')
      return true
    })
  })

  it('works without a given ajv instance', () => {
    const validator = compileRequestValidator(operation({ parameters: [parameter({ name: 'q', in: 'query', required: true, schema: { type: 'integer' } })] }))
    assert.deepEqual(validator.validate(request({ query: 'q=x' })), [{ location: 'query.q', message: 'must be integer' }])
  })
})
