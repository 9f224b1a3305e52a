import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { GatehouseError } from '../../core/errors/gatehouse-error.ts'
import type { IncomingHttpHeaders } from 'node:http'
import type { RequestContext } from '../../kit/context.ts'
import { HeaderList } from '../../kit/header-list.ts'
import type { PolicyHandlers } from '../../kit/policy.ts'
import { makeTestContext } from '../test-context.ts'
import { loadSettings, settingsProblems } from '../test-settings.ts'
import { corsPolicy } from './policy.ts'

const env = { configDir: '.', routeName: 'test' }
const APP = 'https://app.example'
const LOOK_ALIKES = ['https://app.example.evil.com', 'https://evil.example', 'null', 'https://app.example:8443', 'http://app.example', 'https://APP.example']

const credentialed = {
  allowOrigins: [APP],
  allowMethods: ['GET', 'POST'],
  allowHeaders: ['Content-Type', 'X-Api-Key'],
  exposeHeaders: ['X-Request-Id'],
  allowCredentials: true,
  maxAgeSeconds: 300,
}

function handlersFor(raw: unknown): Required<Pick<PolicyHandlers, 'onRequest' | 'onResponse'>> {
  const { onRequest, onResponse } = corsPolicy.create(loadSettings(corsPolicy, raw), env)
  assert.ok(onRequest && onResponse)
  return { onRequest, onResponse }
}

function request(headers: IncomingHttpHeaders, method = 'GET'): RequestContext {
  return makeTestContext({ method, headers })
}

function preflight(origin: string, method: string, requestHeaders?: string): RequestContext {
  const headers: IncomingHttpHeaders = { origin, 'access-control-request-method': method }
  if (requestHeaders !== undefined) headers['access-control-request-headers'] = requestHeaders
  return request(headers, 'OPTIONS')
}

function assertRejected(run: () => unknown, detail: string): void {
  assert.throws(run, (error: unknown) => error instanceof GatehouseError && error.code === 'GH_ERR_CORS_REJECTED' && error.status === 403 && error.detail === detail)
}

function grantHeaders(ctx: RequestContext): string[] {
  return ctx.responseHeaders.flat.filter((_, index, flat) => index % 2 === 0 && flat[index].toLowerCase().startsWith('access-control-'))
}

describe('cors settings', () => {
  it('fills in defaults for everything but allowOrigins, which is required', () => {
    assert.deepEqual(loadSettings(corsPolicy, { allowOrigins: [APP] }), {
      allowOrigins: [APP],
      allowMethods: ['GET', 'HEAD', 'POST'],
      allowHeaders: [],
      exposeHeaders: [],
      allowCredentials: false,
      maxAgeSeconds: 600,
    })
    assert.deepEqual(settingsProblems(corsPolicy, {}), ["(settings): must have required property 'allowOrigins'"])
  })

  it('CFG-05: rejects the * origin together with allowCredentials at load', () => {
    assert.deepEqual(settingsProblems(corsPolicy, { allowOrigins: ['*'], allowCredentials: true }), [
      "allowOrigins: '*' cannot be combined with allowCredentials: true; list the allowed origins instead",
    ])
    assert.throws(
      () => corsPolicy.create({ allowOrigins: ['*'], allowMethods: ['GET'], allowHeaders: [], exposeHeaders: [], allowCredentials: true, maxAgeSeconds: 0 }, env),
      { code: 'GH_ERR_CONFIG_INVALID' },
    )
  })

  it('CFG-05: rejects wildcard header lists together with allowCredentials', () => {
    assert.deepEqual(settingsProblems(corsPolicy, { allowOrigins: [APP], allowCredentials: true, allowHeaders: ['*'], exposeHeaders: ['*'] }), [
      "allowHeaders: '*' cannot be combined with allowCredentials: true; list the allowed headers instead",
      "exposeHeaders: '*' cannot be combined with allowCredentials: true; list the exposed headers instead",
    ])
  })

  it('rejects an empty origin list and * mixed with other origins', () => {
    assert.deepEqual(settingsProblems(corsPolicy, { allowOrigins: [] }), ["allowOrigins: list at least one origin (such as 'https://app.example'), or '*'"])
    assert.deepEqual(settingsProblems(corsPolicy, { allowOrigins: ['*', APP] }), ["allowOrigins: '*' already allows every origin; it must be the only entry"])
  })

  it('accepts only origins spelled the way browsers send them', () => {
    const problems = settingsProblems(corsPolicy, {
      allowOrigins: ['https://App.Example', 'https://app.example/', 'https://app.example:443', 'https://app.example/path', 'ftp://files.example', 'null', 'app.example', 'http://localhost:3000'],
    })
    assert.deepEqual(problems, [
      "allowOrigins[0]: 'https://App.Example' must be written as the origin 'https://app.example' (lower-case host, no default port, no path or trailing slash)",
      "allowOrigins[1]: 'https://app.example/' must be written as the origin 'https://app.example' (lower-case host, no default port, no path or trailing slash)",
      "allowOrigins[2]: 'https://app.example:443' must be written as the origin 'https://app.example' (lower-case host, no default port, no path or trailing slash)",
      "allowOrigins[3]: 'https://app.example/path' must be written as the origin 'https://app.example' (lower-case host, no default port, no path or trailing slash)",
      "allowOrigins[4]: 'ftp://files.example' must use http or https",
      "allowOrigins[5]: 'null' is sent by sandboxed documents, local files and some redirects; allowing it would let any of those in",
      "allowOrigins[6]: 'app.example' is not an origin such as https://app.example",
    ])
  })

  it('rejects * as a method and method names that are not tokens', () => {
    assert.deepEqual(settingsProblems(corsPolicy, { allowOrigins: [APP], allowMethods: ['GET', '*'] }), ["allowMethods: list the methods explicitly; '*' is not supported"])
    assert.equal(settingsProblems(corsPolicy, { allowOrigins: [APP], allowMethods: ['GET POST'] }).length, 1)
  })
})

describe('cors requests with a list of origins', () => {
  const { onRequest } = handlersFor(credentialed)

  it('PATH-13 / ADM-05: echoes the allowed origin exactly, with Vary: Origin, on responseHeaders', () => {
    const ctx = request({ origin: APP })
    onRequest(ctx)
    assert.equal(ctx.directResponse, undefined)
    assert.deepEqual(ctx.responseHeaders.flat, [
      'Vary', 'Origin',
      'Access-Control-Allow-Origin', APP,
      'Access-Control-Allow-Credentials', 'true',
      'Access-Control-Expose-Headers', 'X-Request-Id',
    ])
  })

  for (const origin of LOOK_ALIKES) {
    it(`PATH-13 / ADM-05: no Access-Control-Allow-Origin for Origin ${origin}`, () => {
      const ctx = request({ origin }, 'POST')
      onRequest(ctx)
      assert.equal(ctx.directResponse, undefined)
      assert.deepEqual(ctx.responseHeaders.flat, ['Vary', 'Origin'])
    })

    it(`PATH-13: a preflight from ${origin} is refused without allow headers`, () => {
      const ctx = preflight(origin, 'GET')
      assertRejected(() => onRequest(ctx), `Origin '${origin}' is not allowed on this route`)
      assert.equal(ctx.directResponse, undefined)
      assert.deepEqual(grantHeaders(ctx), [])
    })
  }

  it('PATH-13: an Origin header sent twice (joined by node:http) matches nothing', () => {
    const ctx = request({ origin: `${APP}, https://evil.example` })
    onRequest(ctx)
    assert.deepEqual(grantHeaders(ctx), [])
  })

  it('answers an allowed preflight itself with 204 and the allow headers', () => {
    const ctx = preflight(APP, 'POST', 'content-type,x-api-key')
    onRequest(ctx)
    assert.deepEqual(ctx.directResponse, {
      status: 204,
      headers: {
        'Access-Control-Allow-Origin': APP,
        Vary: 'Origin',
        'Access-Control-Allow-Credentials': 'true',
        'Access-Control-Allow-Methods': 'GET, POST',
        'Access-Control-Allow-Headers': 'Content-Type, X-Api-Key',
        'Access-Control-Max-Age': '300',
      },
    })
    // Everything is in the direct answer; nothing is duplicated through responseHeaders.
    assert.deepEqual(ctx.responseHeaders.flat, [])
  })

  it('PATH-13: a preflight asking for a method that is not allowed gets no allow headers', () => {
    const ctx = preflight(APP, 'DELETE')
    assertRejected(() => onRequest(ctx), "Method 'DELETE' is not allowed for cross-origin requests on this route")
    assert.equal(ctx.directResponse, undefined)
    assert.deepEqual(grantHeaders(ctx), [])
  })

  it('compares methods exactly, as Fetch does', () => {
    assertRejected(() => onRequest(preflight(APP, 'post')), "Method 'post' is not allowed for cross-origin requests on this route")
  })

  it('refuses a preflight asking for a header that is not allowed, naming it', () => {
    const ctx = preflight(APP, 'GET', 'content-type, x-secret')
    assertRejected(() => onRequest(ctx), "Header 'x-secret' is not allowed for cross-origin requests on this route")
    assert.deepEqual(grantHeaders(ctx), [])
  })

  it('lets requests without Origin through with only Vary: Origin', () => {
    const get = request({ host: 'api.example' })
    onRequest(get)
    assert.deepEqual(get.responseHeaders.flat, ['Vary', 'Origin'])
    const options = request({ 'access-control-request-method': 'GET' }, 'OPTIONS')
    onRequest(options)
    assert.equal(options.directResponse, undefined)
    assert.deepEqual(options.responseHeaders.flat, ['Vary', 'Origin'])
  })

  it('treats OPTIONS with Origin but without Access-Control-Request-Method as an ordinary request', () => {
    const ctx = request({ origin: APP }, 'OPTIONS')
    onRequest(ctx)
    assert.equal(ctx.directResponse, undefined)
    assert.equal(ctx.responseHeaders.get('access-control-allow-origin'), APP)
  })
})

describe('cors with the * origin', () => {
  const { onRequest } = handlersFor({ allowOrigins: ['*'], allowHeaders: ['*'], exposeHeaders: ['*'] })

  it('grants * to any origin, never with credentials and without Vary', () => {
    for (const origin of [APP, 'null', 'https://evil.example']) {
      const ctx = request({ origin })
      onRequest(ctx)
      assert.deepEqual(ctx.responseHeaders.flat, ['Access-Control-Allow-Origin', '*', 'Access-Control-Expose-Headers', '*'])
    }
  })

  it('leaves requests without Origin untouched', () => {
    const ctx = request({})
    onRequest(ctx)
    assert.deepEqual(ctx.responseHeaders.flat, [])
  })

  it('answers preflights with *, and still requires Authorization to be listed by name', () => {
    const ctx = preflight('https://anyone.example', 'HEAD', 'x-anything')
    onRequest(ctx)
    assert.deepEqual(ctx.directResponse, {
      status: 204,
      headers: { 'Access-Control-Allow-Origin': '*', 'Access-Control-Allow-Methods': 'GET, HEAD, POST', 'Access-Control-Allow-Headers': '*', 'Access-Control-Max-Age': '600' },
    })
    assertRejected(() => onRequest(preflight(APP, 'GET', 'authorization')), "Header 'authorization' is not allowed for cross-origin requests on this route")
    const listed = handlersFor({ allowOrigins: ['*'], allowHeaders: ['*', 'Authorization'] })
    const ok = preflight(APP, 'GET', 'authorization, x-other')
    listed.onRequest(ok)
    assert.equal(ok.directResponse?.status, 204)
  })
})

describe('cors onResponse', () => {
  const { onRequest, onResponse } = handlersFor(credentialed)

  it("drops the upstream's Access-Control-* fields so only the policy's grant reaches the client", () => {
    const ctx = request({ origin: APP })
    onRequest(ctx)
    const head = {
      status: 200,
      headers: new HeaderList([
        'Content-Type', 'application/json',
        'Access-Control-Allow-Origin', '*',
        'access-control-allow-credentials', 'true',
        'ACCESS-CONTROL-EXPOSE-HEADERS', 'X-Internal',
        'Vary', 'Accept-Encoding',
        'X-Access-Control', 'kept',
      ]),
    }
    onResponse(ctx, head)
    assert.deepEqual(head.headers.flat, ['Content-Type', 'application/json', 'Vary', 'Accept-Encoding', 'X-Access-Control', 'kept'])
    // What the gateway sends after merging ctx.responseHeaders: exactly one grant, ours.
    const sent = new HeaderList([...head.headers.flat, ...ctx.responseHeaders.flat])
    assert.equal(sent.flat.filter((name) => name.toLowerCase() === 'access-control-allow-origin').length, 1)
    assert.equal(sent.get('access-control-allow-origin'), APP)
    assert.equal(sent.get('access-control-expose-headers'), 'X-Request-Id')
  })

  it('ADM-05: an upstream cannot grant a disallowed origin', () => {
    const ctx = request({ origin: 'https://evil.example' })
    onRequest(ctx)
    const head = { status: 200, headers: new HeaderList(['Access-Control-Allow-Origin', 'https://evil.example', 'Access-Control-Allow-Credentials', 'true']) }
    onResponse(ctx, head)
    assert.deepEqual([...head.headers.flat, ...ctx.responseHeaders.flat], ['Vary', 'Origin'])
  })

  it("leaves the gateway's own preflight answer alone", () => {
    const ctx = preflight(APP, 'GET')
    onRequest(ctx)
    const head = { status: 204, headers: new HeaderList(Object.entries(ctx.directResponse?.headers ?? {}).flat()) }
    const before = [...head.headers.flat]
    onResponse(ctx, head)
    assert.deepEqual(head.headers.flat, before)
    assert.equal(head.headers.get('access-control-allow-origin'), APP)
  })
})
