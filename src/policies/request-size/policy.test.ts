import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { GatehouseError } from '../../core/errors/gatehouse-error.ts'
import { makeTestContext } from '../test-context.ts'
import { loadSettings, settingsProblems } from '../test-settings.ts'
import { requestSizePolicy } from './policy.ts'

const env = { configDir: '.', routeName: 'test' }

function handlerFor(raw: unknown) {
  const onRequest = requestSizePolicy.create(loadSettings(requestSizePolicy, raw), env).onRequest
  assert.ok(onRequest)
  return onRequest
}

describe('request-size settings', () => {
  it('defaults maxBytes to 1 MiB', () => {
    assert.deepEqual(loadSettings(requestSizePolicy, {}), { maxBytes: 1048576 })
  })

  it('rejects negative, fractional and unknown settings', () => {
    assert.equal(settingsProblems(requestSizePolicy, { maxBytes: -1 }).length, 1)
    assert.equal(settingsProblems(requestSizePolicy, { maxBytes: 1.5 }).length, 1)
    assert.deepEqual(settingsProblems(requestSizePolicy, { maxByte: 10 }), ['(settings): must NOT have additional properties'])
  })
})

describe('request-size onRequest', () => {
  it('rejects a declared Content-Length above the limit with 413 before reading the body', () => {
    const onRequest = handlerFor({ maxBytes: 100 })
    const ctx = makeTestContext({ method: 'POST', headers: { 'content-length': '101' } })
    assert.throws(
      () => onRequest(ctx),
      (error: unknown) => error instanceof GatehouseError && error.code === 'GH_ERR_BODY_TOO_LARGE' && error.status === 413 && error.detail.includes('100 bytes'),
    )
    // Nothing started consuming the body stream.
    assert.equal(ctx.request.raw.readableFlowing, null)
    assert.equal(ctx.request.raw.listenerCount('data'), 0)
  })

  it('accepts a body of exactly the limit and hands the limit to the proxy', () => {
    const onRequest = handlerFor({ maxBytes: 100 })
    const ctx = makeTestContext({ method: 'POST', headers: { 'content-length': '100' }, maxBodySize: 5 })
    onRequest(ctx)
    assert.equal(ctx.maxBodySize, 100)
  })

  it('sets the streaming limit for chunked bodies without a Content-Length', () => {
    const onRequest = handlerFor({ maxBytes: 2048 })
    const ctx = makeTestContext({ method: 'POST', headers: { 'transfer-encoding': 'chunked' } })
    onRequest(ctx)
    assert.equal(ctx.maxBodySize, 2048)
  })

  it('with maxBytes 0 allows only empty bodies', () => {
    const onRequest = handlerFor({ maxBytes: 0 })
    const empty = makeTestContext({ method: 'POST', headers: { 'content-length': '0' } })
    onRequest(empty)
    assert.equal(empty.maxBodySize, 0)
    assert.throws(() => onRequest(makeTestContext({ method: 'POST', headers: { 'content-length': '1' } })), { code: 'GH_ERR_BODY_TOO_LARGE' })
  })

  it('compares lengths numerically, not as strings', () => {
    const onRequest = handlerFor({ maxBytes: 900 })
    assert.throws(() => onRequest(makeTestContext({ method: 'PUT', headers: { 'content-length': '1000' } })), { code: 'GH_ERR_BODY_TOO_LARGE' })
    onRequest(makeTestContext({ method: 'PUT', headers: { 'content-length': '95' } }))
  })
})
