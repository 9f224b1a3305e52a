import assert from 'node:assert/strict'
import { createServer } from 'node:http'
import type { AddressInfo } from 'node:net'
import { describe, it } from 'node:test'
import type { MediaTypeModel, OperationModel, ResponseModel } from '../model.ts'
import { compileMock, type MockAnswer, type MockResponder } from './index.ts'

function operation(...responses: ResponseModel[]): OperationModel {
  return { method: 'GET', pathTemplate: '/v1/data', deprecated: false, parameters: [], responses, security: [], pointer: '#/paths/~1v1~1data/get' }
}

function response(status: string, content: Record<string, MediaTypeModel> = {}, headers: ResponseModel['headers'] = {}): ResponseModel {
  return { status, description: `${status} response`, headers, content }
}

function json(model: MediaTypeModel): Record<string, MediaTypeModel> {
  return { 'application/json': model }
}

function responder(op: OperationModel, options?: Parameters<typeof compileMock>[1]): MockResponder {
  const result = compileMock(op, options)
  assert.ok(result.ok, result.ok ? '' : result.reason)
  return result.responder
}

function bodyOf(answer: MockAnswer): unknown {
  return JSON.parse(answer.body.toString())
}

describe('compileMock', () => {
  it('answers the demo operation with its example, over HTTP', async () => {
    const mock = responder(operation(response('200', json({ schema: { type: 'array', items: { type: 'string' } }, example: ['Message 1', 'Message 2'] }))))
    const server = createServer((request, reply) => {
      const answer = mock.answer(request.headers.accept, request.headers.prefer as string | undefined)
      reply.writeHead(answer.status, answer.headers).end(answer.body)
    })
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
    try {
      const res = await fetch(`http://127.0.0.1:${(server.address() as AddressInfo).port}/v1/data`)
      assert.equal(res.status, 200)
      assert.equal(res.headers.get('content-type'), 'application/json; charset=utf-8')
      assert.equal(res.headers.get('content-length'), '25')
      assert.equal(await res.text(), '["Message 1","Message 2"]')
    } finally {
      server.close()
    }
  })

  it('takes example, else the first named example, else a value from the schema', () => {
    const schema = { type: 'object', required: ['id'], properties: { id: { type: 'integer', minimum: 1 } } }
    const both = responder(operation(response('200', json({ schema, example: { id: 1 }, examples: { other: { id: 2 } } }))))
    assert.deepEqual(bodyOf(both.answer(undefined, undefined)), { id: 1 })
    const named = responder(operation(response('200', json({ schema, examples: { first: { id: 2 }, second: { id: 3 } } }))))
    assert.deepEqual(bodyOf(named.answer(undefined, undefined)), { id: 2 })
    const generated = responder(operation(response('200', json({ schema }))))
    assert.deepEqual(bodyOf(generated.answer(undefined, undefined)), { id: 1 })
  })

  it('sends no body for a schema alone when generation is off', () => {
    const answer = responder(operation(response('200', json({ schema: { type: 'string' } }))), { generateFromSchema: false }).answer(undefined, undefined)
    assert.equal(answer.body.length, 0)
    assert.equal(answer.headers['content-type'], undefined)
    assert.equal(answer.headers['content-length'], '0')
  })

  it('selects a named example with Prefer: example=', () => {
    const mock = responder(operation(response('200', json({ examples: { first: 'a', second: 'b' } }))))
    assert.equal(mock.answer(undefined, 'example=second').body.toString(), '"b"')
    assert.equal(mock.answer('*/*', 'example="first"').body.toString(), '"a"')
    assert.equal(mock.answer(undefined, 'example=unknown').body.toString(), '"a"')
  })

  it('selects another declared response with Prefer: code=', () => {
    const mock = responder(
      operation(
        response('200', json({ example: { ok: true } })),
        response('404', json({ example: { error: 'not found' } })),
        response('5XX', json({ example: { error: 'broken' } })),
        response('429', { 'application/json': {} }),
      ),
    )
    assert.deepEqual([mock.answer(undefined, 'code=404').status, bodyOf(mock.answer(undefined, 'code=404'))], [404, { error: 'not found' }])
    assert.deepEqual([mock.answer(undefined, 'code=503').status, bodyOf(mock.answer(undefined, 'code=503'))], [503, { error: 'broken' }])
    // Undeclared, or declared without anything to answer with: the default answer.
    assert.equal(mock.answer(undefined, 'code=418').status, 200)
    assert.equal(mock.answer(undefined, 'code=429').status, 200)
  })

  it('lets Prefer: code= use a default response with the code asked for', () => {
    const mock = responder(operation(response('200', json({ example: 1 })), response('default', json({ example: { error: 'any' } }))))
    const answer = mock.answer(undefined, 'code=500')
    assert.deepEqual([answer.status, bodyOf(answer)], [500, { error: 'any' }])
  })

  it('chooses the default status: lowest 2xx, explicit before 2XX, then default, then anything', () => {
    const statusOf = (...statuses: string[]): number => responder(operation(...statuses.map((status) => response(status)))).answer(undefined, undefined).status
    assert.equal(statusOf('201', '200', '404'), 200)
    assert.equal(statusOf('2XX', '201'), 201)
    assert.equal(statusOf('404', '2XX'), 200)
    assert.equal(statusOf('default'), 200)
    assert.equal(statusOf('404', 'default'), 200)
    assert.equal(statusOf('404', '302'), 302)
  })

  it('answers options.status when declared, exactly or by range', () => {
    const op = operation(response('200', json({ example: 'ok' })), response('4XX', json({ example: 'client' })))
    assert.equal(responder(op, { status: 404 }).answer(undefined, undefined).status, 404)
    assert.equal(responder(op, { status: 404 }).answer(undefined, undefined).body.toString(), '"client"')
    assert.deepEqual(compileMock(op, { status: 500 }), { ok: false, reason: 'no response 500 is declared (declared: 200, 4XX)' })
    assert.equal(compileMock(op, { status: 42 }).ok, false)
    const noContent = responder(operation(response('2XX', json({ example: 'x' }))), { status: 204 })
    assert.equal(noContent.answer(undefined, undefined).body.length, 0)
    assert.equal(noContent.answer(undefined, 'code=200').body.toString(), '"x"')
  })

  it('sends nothing but headers for 204, even when content is declared', () => {
    const answer = responder(operation(response('204'))).answer('application/json', undefined)
    assert.deepEqual([answer.status, answer.body.length, answer.headers], [204, 0, {}])
    const declared = responder(operation(response('204', json({ example: 'ignored' })))).answer(undefined, undefined)
    assert.equal(declared.body.length, 0)
    const fromRange = responder(operation(response('2XX', json({ example: 'x' })))).answer(undefined, 'code=204')
    assert.deepEqual([fromRange.status, fromRange.body.length, fromRange.headers['content-length']], [204, 0, undefined])
  })

  it('answers an empty body for a response without content', () => {
    const answer = responder(operation(response('202'))).answer(undefined, undefined)
    assert.deepEqual([answer.status, answer.body.length, answer.headers], [202, 0, { 'content-length': '0' }])
  })

  it('sends a text/plain string as is and other values as JSON text', () => {
    const text = responder(operation(response('200', { 'text/plain': { example: 'hello "world"' } }))).answer(undefined, undefined)
    assert.equal(text.body.toString(), 'hello "world"')
    assert.equal(text.headers['content-type'], 'text/plain; charset=utf-8')
    const number = responder(operation(response('200', { 'text/plain': { schema: { type: 'integer', minimum: 42 } } }))).answer(undefined, undefined)
    assert.equal(number.body.toString(), '42')
  })

  it('negotiates the media type by Accept, and answers the first when none is acceptable', () => {
    const mock = responder(
      operation(
        response('200', {
          'application/json': { example: { format: 'json' } },
          'application/xml': { example: '<format>xml</format>' },
          'text/plain; charset=us-ascii': { example: 'format: text' },
        }),
      ),
    )
    const typeFor = (accept: string | undefined): string => mock.answer(accept, undefined).headers['content-type']
    assert.equal(typeFor(undefined), 'application/json; charset=utf-8')
    assert.equal(typeFor('*/*'), 'application/json; charset=utf-8')
    assert.equal(typeFor('text/plain;q=0.5, application/json;q=0.2'), 'text/plain; charset=us-ascii')
    assert.equal(typeFor('application/*;q=0.8, application/json;q=0.1'), 'application/xml')
    assert.equal(mock.answer('application/xml', undefined).body.toString(), '<format>xml</format>')
    assert.equal(typeFor('image/png'), 'application/json; charset=utf-8')
  })

  it('gives declared headers a value, except framing and hop-by-hop ones', () => {
    const headers: ResponseModel['headers'] = {
      'X-Rate-Limit': { required: true, schema: { type: 'integer', minimum: 100 } },
      'X-Request-Id': { required: false, schema: { type: 'string', example: 'req-1' } },
      'Content-Length': { required: false, schema: { type: 'integer', example: 999 } },
      Connection: { required: false, schema: { type: 'string' } },
      'X-Bad': { required: false, schema: { type: 'string', example: 'line\r\nbreak' } },
    }
    const answer = responder(operation(response('200', json({ example: 'x' }), headers))).answer(undefined, undefined)
    assert.deepEqual(answer.headers, { 'x-rate-limit': '100', 'x-request-id': 'req-1', 'content-type': 'application/json; charset=utf-8', 'content-length': '3' })
  })

  it('fails with a reason when there is nothing to answer with', () => {
    const noSchema = compileMock(operation(response('200', { 'application/json': {} })))
    assert.deepEqual(noSchema, { ok: false, reason: 'response 200: application/json: no example and no schema to build one from' })
    const xml = compileMock(operation(response('200', { 'application/xml': { schema: { type: 'object' } } })))
    assert.equal(xml.ok, false)
    assert.match(xml.ok ? '' : xml.reason, /cannot be written as application\/xml/)
    assert.deepEqual(compileMock(operation()), { ok: false, reason: 'no responses are declared' })
  })

  it('skips a media type it cannot answer with when another one can', () => {
    const mock = responder(operation(response('200', { 'application/octet-stream': {}, 'application/json': { example: [1] } })))
    assert.equal(mock.answer('application/octet-stream', undefined).body.toString(), '[1]')
  })

  it('answers the same bytes on every compile', () => {
    const op = operation(response('200', json({ schema: { type: 'object', properties: { at: { type: 'string', format: 'date-time' }, n: { type: 'number', exclusiveMinimum: 3 } } } })))
    const first = responder(op).answer(undefined, undefined).body
    assert.equal(first.toString(), '{"at":"2026-01-01T00:00:00Z","n":4}')
    assert.ok(first.equals(responder(op).answer(undefined, undefined).body))
  })
})
