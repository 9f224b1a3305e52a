import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { HeaderList } from '../../kit/header-list.ts'
import type { PolicyHandlers } from '../../kit/policy.ts'
import { makeTestContext } from '../test-context.ts'
import { loadSettings, settingsProblems } from '../test-settings.ts'
import { headersPolicy } from './policy.ts'

const env = { configDir: '.', routeName: 'test' }

function handlersFor(raw: unknown): PolicyHandlers {
  return headersPolicy.create(loadSettings(headersPolicy, raw), env)
}

function problemsFor(raw: unknown): string[] {
  return settingsProblems(headersPolicy, raw)
}

describe('headers settings', () => {
  it('defaults both sides to no changes, and then takes part in no phase', () => {
    const settings = loadSettings(headersPolicy, {})
    const empty = { add: {}, set: {}, remove: [], rename: {} }
    assert.deepEqual(settings, { request: empty, response: empty })
    assert.deepEqual(Object.keys(headersPolicy.create(settings, env)), [])
  })

  it('rejects a value with CR/LF at load (header injection), without echoing the value', () => {
    const raw = { request: { set: { 'X-A': 'b\r\nEvil: 1' } } }
    assert.deepEqual(problemsFor(raw), ['/request/set/X-A: must match pattern "^[\\t\\x20-\\x7E\\x80-\\xFF]*$"'])
    const problems = headersPolicy.check?.({ request: { add: {}, set: { 'X-A': 'b\r\nEvil: 1' }, remove: [], rename: {} }, response: { add: { 'X-B': 'nul\0' }, set: {}, remove: [], rename: {} } })
    assert.deepEqual(problems, [
      'request.set.X-A: value may only contain visible characters, spaces and tabs (no CR, LF, NUL or other control characters)',
      'response.add.X-B: value may only contain visible characters, spaces and tabs (no CR, LF, NUL or other control characters)',
    ])
    assert.throws(
      () => headersPolicy.create({ request: { add: {}, set: { 'X-A': 'b\r\nEvil: 1' }, remove: [], rename: {} }, response: { add: {}, set: {}, remove: [], rename: {} } }, env),
      (error: Error & { code?: string }) => error.code === 'GH_ERR_CONFIG_INVALID' && !error.message.includes('Evil'),
    )
  })

  it('rejects header names that are not RFC 9110 tokens', () => {
    assert.match(problemsFor({ request: { remove: ['X A'] } })[0], /^\/request\/remove\/0: must match pattern/)
    assert.match(problemsFor({ response: { set: { 'X:A': '1' } } })[0], /^\/response\/set: must match pattern/)
    assert.match(problemsFor({ request: { rename: { 'X-Old': 'New Name' } } })[0], /^\/request\/rename\/X-Old: must match pattern/)
    assert.match(problemsFor({ request: { add: { '': 'x' } } })[0], /^\/request\/add: must match pattern/)
    const none = { add: {}, set: {}, remove: [], rename: {} }
    assert.deepEqual(headersPolicy.check?.({ request: { ...none, remove: ['X A'], rename: { 'X-Old': 'New Name' } }, response: { ...none, set: { 'X:A': '1' } } }), [
      "request.remove[0]: 'X A' is not a valid header name (an RFC 9110 token)",
      "request.rename.X-Old (new name): 'New Name' is not a valid header name (an RFC 9110 token)",
      "response.set.X:A: 'X:A' is not a valid header name (an RFC 9110 token)",
    ])
  })

  it('refuses to touch framing and connection headers on either side', () => {
    assert.deepEqual(
      problemsFor({
        request: { set: { 'Content-Length': '5' }, remove: ['transfer-encoding'], rename: { 'X-Conn': 'Connection' } },
        response: { add: { Upgrade: 'h2c', TE: 'trailers', Trailer: 'x', 'Keep-Alive': 'timeout=5' } },
      }),
      [
        "request.remove[0]: 'transfer-encoding' controls message framing and is managed by the gateway; it cannot be changed",
        "request.rename.X-Conn (new name): 'connection' controls message framing and is managed by the gateway; it cannot be changed",
        "request.set.Content-Length: 'content-length' controls message framing and is managed by the gateway; it cannot be changed",
        "response.add.Upgrade: 'upgrade' controls message framing and is managed by the gateway; it cannot be changed",
        "response.add.TE: 'te' controls message framing and is managed by the gateway; it cannot be changed",
        "response.add.Trailer: 'trailer' controls message framing and is managed by the gateway; it cannot be changed",
        "response.add.Keep-Alive: 'keep-alive' controls message framing and is managed by the gateway; it cannot be changed",
      ],
    )
  })

  it('allows Host only through request.set', () => {
    assert.deepEqual(problemsFor({ request: { set: { Host: 'backend.internal' } } }), [])
    assert.deepEqual(problemsFor({ request: { add: { Host: 'a' } }, response: { set: { Host: 'b' } } }), [
      "request.add.Host: 'host' can only be changed with request.set (a request carries exactly one Host)",
      "response.set.Host: 'host' can only be changed with request.set (a request carries exactly one Host)",
    ])
    assert.equal(problemsFor({ request: { remove: ['host'] } }).length, 1)
  })

  it('rejects a header named by two operations, in any letter case', () => {
    assert.deepEqual(problemsFor({ request: { remove: ['X-A'], set: { 'x-a': '1' } } }), [
      "request.set.x-a: 'x-a' is already named by request.remove[0]; name each header in one operation only",
    ])
    assert.equal(problemsFor({ response: { set: { 'X-A': '1', 'x-a': '2' } } }).length, 1)
    assert.equal(problemsFor({ request: { rename: { 'X-A': 'X-B' }, add: { 'X-B': '1' } } }).length, 1)
  })
})

describe('headers transformRequest', () => {
  it('removes, renames, sets and appends on the upstream request in one pass', () => {
    const { transformRequest } = handlersFor({
      request: {
        remove: ['X-Internal'],
        rename: { 'x-old': 'X-New' },
        set: { Host: 'backend.internal', 'X-Env': 'prod' },
        add: { Accept: 'application/json' },
      },
    })
    assert.ok(transformRequest)
    const ctx = makeTestContext({
      upstreamHeaders: ['Host', 'api.example', 'X-Internal', '1', 'x-internal', '2', 'X-Old', 'kept-value', 'Accept', 'text/html', 'Range', 'bytes=0-9', 'X-ENV', 'dev', 'X-Env', 'test'],
    })
    void transformRequest(ctx)
    assert.deepEqual(ctx.upstream.headers.flat, ['X-New', 'kept-value', 'Accept', 'text/html', 'Range', 'bytes=0-9', 'Host', 'backend.internal', 'X-Env', 'prod', 'Accept', 'application/json'])
  })

  it('never changes the incoming request headers other policies read', () => {
    const { transformRequest } = handlersFor({ request: { remove: ['authorization'] } })
    assert.ok(transformRequest)
    const ctx = makeTestContext({ headers: { authorization: 'Bearer t' } })
    void transformRequest(ctx)
    assert.equal(ctx.upstream.headers.get('authorization'), undefined)
    assert.equal(ctx.request.headers.authorization, 'Bearer t')
  })

  it('adds a field even when the request had none, and leaves response-only settings out of the request', () => {
    const handlers = handlersFor({ request: { add: { 'X-Gateway': 'gatehouse' } } })
    assert.equal(handlers.onResponse, undefined)
    const ctx = makeTestContext({ upstreamHeaders: [] })
    void handlers.transformRequest?.(ctx)
    assert.deepEqual(ctx.upstream.headers.flat, ['X-Gateway', 'gatehouse'])
  })
})

describe('headers onResponse', () => {
  it('changes the response head and keeps repeated fields it was not asked to touch', () => {
    const handlers = handlersFor({
      response: { remove: ['server', 'x-powered-by'], rename: { 'X-Upstream-Id': 'X-Request-Id' }, set: { 'Cache-Control': 'no-store' }, add: { 'Set-Cookie': 'gw=1' } },
    })
    assert.equal(handlers.transformRequest, undefined)
    assert.ok(handlers.onResponse)
    const head = {
      status: 200,
      headers: new HeaderList(['Server', 'nginx', 'Set-Cookie', 'a=1', 'Set-Cookie', 'b=2', 'X-Powered-By', 'php', 'X-Upstream-Id', 'abc', 'cache-control', 'max-age=60']),
    }
    handlers.onResponse(makeTestContext(), head)
    assert.equal(head.status, 200)
    assert.deepEqual(head.headers.flat, ['Set-Cookie', 'a=1', 'Set-Cookie', 'b=2', 'X-Request-Id', 'abc', 'Cache-Control', 'no-store', 'Set-Cookie', 'gw=1'])
  })
})
