import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { HeaderList } from '../kit/header-list.ts'
import { makeTestContext } from './test-context.ts'

describe('makeTestContext', () => {
  it('builds a context with plain defaults', () => {
    const ctx = makeTestContext()
    assert.equal(ctx.request.method, 'GET')
    assert.equal(ctx.request.path, '/')
    assert.equal(ctx.request.clientIp, '127.0.0.1')
    assert.equal(ctx.upstream.path, '/')
    assert.ok(ctx.upstream.headers instanceof HeaderList)
    assert.ok(ctx.responseHeaders instanceof HeaderList)
    assert.deepEqual(ctx.responseHeaders.flat, [])
    assert.equal(ctx.directResponse, undefined)
    assert.equal(ctx.identity, undefined)
    assert.equal(ctx.state.size, 0)
  })

  it('lower-cases request header names and copies them to the upstream request', () => {
    const ctx = makeTestContext({ method: 'POST', path: '/a', query: 'x=1', headers: { Origin: 'https://app.example', 'set-cookie': ['a=1', 'b=2'] } })
    assert.equal(ctx.request.headers.origin, 'https://app.example')
    assert.equal(ctx.request.raw.url, '/a?x=1')
    assert.equal(ctx.request.raw.method, 'POST')
    assert.equal(ctx.upstream.path, '/a?x=1')
    assert.deepEqual(ctx.upstream.headers.flat, ['origin', 'https://app.example', 'set-cookie', 'a=1', 'set-cookie', 'b=2'])
  })

  it('records one direct response and refuses a second', () => {
    const ctx = makeTestContext()
    const { respond } = ctx
    respond({ status: 204 })
    assert.deepEqual(ctx.directResponse, { status: 204 })
    assert.throws(() => ctx.respond({ status: 200 }), { code: 'GH_ERR_PHASE_VIOLATION' })
    assert.deepEqual(ctx.directResponse, { status: 204 })
  })
})
