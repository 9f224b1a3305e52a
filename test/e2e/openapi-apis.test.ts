// APIs declared by their OpenAPI / Swagger documents, through a running gateway: routes, scopes
// per operation with tokens from the gateway's own key manager, request validation (nothing
// invalid reaches the upstream), mocks, response validation, and documents that cannot load.
import assert from 'node:assert/strict'
import { readFile, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { after, before, describe, test } from 'node:test'
import { basicAuthorization } from '../../src/keymanager/clients/basic-credentials.ts'
import { startGateway, type TestGateway } from '../helpers/gateway.ts'
import { httpRequest, problemCode, type HttpAnswer } from '../helpers/http-client.ts'
import { startUpstream, type TestUpstream } from '../helpers/servers.ts'
import { ADMIN_TOKEN, registerServiceClient } from '../keymanager/auth-server-kit.ts'

const fixture = (name: string): string => fileURLToPath(new URL(`../fixtures/openapi/${name}`, import.meta.url))

let upstream: TestUpstream
let gw: TestGateway
const clients: Record<string, { clientId: string; clientSecret: string }> = {}

before(async () => {
  upstream = await startUpstream((req, res, body) => {
    if (req.url?.startsWith('/v1/data') === true && req.method === 'GET') {
      const answer = JSON.stringify(['upstream: Message 1'])
      res.writeHead(200, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(answer) })
      res.end(answer)
      return
    }
    // Answers that break the document, for response validation.
    if (req.url === '/params/users/7') {
      const answer = JSON.stringify({ id: 'seven' })
      res.writeHead(200, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(answer) })
      res.end(answer)
      return
    }
    if (req.url?.startsWith('/params/query') === true) {
      res.writeHead(204)
      res.end()
      return
    }
    if (req.url === '/params/users/me') {
      const answer = JSON.stringify({ id: 1, name: 'Ada Lovelace', email: 'ada@example.com' })
      res.writeHead(200, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(answer) })
      res.end(answer)
      return
    }
    res.writeHead(req.method === 'POST' ? 201 : 200, { 'content-type': 'application/json' })
    res.end(JSON.stringify({ method: req.method, url: req.url, bytes: body.length }))
  })
  gw = await startGateway(`
upstreams: { services: { targets: ['${upstream.url}'] } }
keyManager:
  issuer: https://gatehouse.test/oauth2
  adminToken: ${ADMIN_TOKEN}
  passwordHashing: { N: 1024 }
apis:
  - name: api_a
    spec: ${fixture('swagger2/api_a.yaml')}
    upstream: services
    validation: { maxBodyBytes: 65536 }
  - name: api_b
    spec: ${fixture('oas30/api_b.yaml')}
    upstream: services
    basePath: /b/v1
    stripBasePath: true
  - name: api_c
    spec: ${fixture('oas30/api_c.yaml')}
    basePath: /c/v1
    mock: true
  - name: params
    spec: ${fixture('params.yaml')}
    upstream: services
    validation: { responses: enforce }
`)
  clients.reader = await registerServiceClient(gw.url, 'reader', 'api_a.r api_b.r api_c.r')
  clients.writer = await registerServiceClient(gw.url, 'writer', 'api_a.w api_b.w')
})

after(async () => {
  await gw?.stop()
  await upstream?.close()
})

async function token(client: 'reader' | 'writer'): Promise<string> {
  const { clientId, clientSecret } = clients[client]
  const answer = await fetch(`${gw.url}/oauth2/token`, {
    method: 'POST',
    headers: { authorization: basicAuthorization(clientId, clientSecret), 'content-type': 'application/x-www-form-urlencoded' },
    body: 'grant_type=client_credentials',
  })
  assert.equal(answer.status, 200)
  return (await answer.json() as { access_token: string }).access_token
}

function send(method: string, path: string, options: { token?: string; body?: string; contentType?: string; headers?: Record<string, string> } = {}): Promise<HttpAnswer> {
  const headers: Record<string, string> = { ...options.headers }
  if (options.token !== undefined) headers.authorization = `Bearer ${options.token}`
  if (options.body !== undefined) headers['content-type'] = options.contentType ?? 'application/json'
  return httpRequest(gw.url + path, { method, headers, body: options.body })
}

/** Requests the upstream received since `mark`. */
const seenSince = (mark: number): string[] => upstream.seen.slice(mark).map((request) => `${request.method} ${request.url}`)

describe('scopes per operation, from the document (Swagger 2.0 and OpenAPI 3.0)', () => {
  test('GET needs api_x.r, POST needs api_x.w; refusals never reach the upstream', async () => {
    const reader = await token('reader')
    const writer = await token('writer')
    const mark = upstream.seen.length
    assert.equal((await send('GET', '/v1/data')).status, 401)
    const read = await send('GET', '/v1/data', { token: reader })
    assert.equal(read.status, 200)
    assert.deepEqual(JSON.parse(read.body), ['upstream: Message 1'])
    const wrongScope = await send('POST', '/v1/data', { token: reader, body: JSON.stringify({ items: ['x'] }) })
    assert.equal(wrongScope.status, 403)
    assert.equal(problemCode(wrongScope), 'GH_ERR_AUTH_INSUFFICIENT_SCOPE')
    assert.match(String(wrongScope.headers['www-authenticate']), /scope="api_a\.w"/)
    assert.equal((await send('GET', '/v1/data', { token: writer })).status, 403)
    const written = await send('POST', '/v1/data', { token: writer, body: JSON.stringify({ items: ['API A: Message 3'] }) })
    assert.equal(written.status, 201)
    assert.deepEqual(seenSince(mark), ['GET /v1/data', 'POST /v1/data'])
    assert.equal(upstream.seen.at(-1)!.body.toString(), '{"items":["API A: Message 3"]}')
  })

  test('a base path from the config replaces the document\'s, and stripBasePath forwards without it', async () => {
    const mark = upstream.seen.length
    const answer = await send('GET', '/b/v1/data', { token: await token('reader') })
    assert.equal(answer.status, 200)
    assert.deepEqual(seenSince(mark), ['GET /data'])
    assert.equal((await send('GET', '/v1/b/data', { token: await token('reader') })).status, 404)
  })
})

describe('request validation', () => {
  test('PATH-12: an unknown property under additionalProperties: false → 400 with its location, nothing forwarded', async () => {
    const mark = upstream.seen.length
    const answer = await send('POST', '/v1/data', { token: await token('writer'), body: JSON.stringify({ items: ['a'], isAdmin: true }) })
    assert.equal(answer.status, 400)
    assert.equal(problemCode(answer), 'GH_ERR_REQUEST_INVALID')
    const errors = (JSON.parse(answer.body) as { errors: Array<{ location: string; message: string }> }).errors
    assert.ok(errors.some((error) => error.location === 'body.isAdmin'), JSON.stringify(errors))
    assert.deepEqual(seenSince(mark), [])
  })

  test('PATH-12: a wrong Content-Type → 415 before the body is read; a missing required body → 400', async () => {
    const writer = await token('writer')
    const mark = upstream.seen.length
    const wrongType = await send('POST', '/v1/data', { token: writer, body: 'items=a', contentType: 'application/x-www-form-urlencoded' })
    assert.equal(wrongType.status, 415)
    assert.equal(problemCode(wrongType), 'GH_ERR_UNSUPPORTED_MEDIA_TYPE')
    const empty = await send('POST', '/v1/data', { token: writer })
    assert.equal(empty.status, 400)
    assert.equal(problemCode(empty), 'GH_ERR_REQUEST_INVALID')
    const brokenJson = await send('POST', '/v1/data', { token: writer, body: '{"items": [' })
    assert.equal(brokenJson.status, 400)
    assert.deepEqual(seenSince(mark), [])
  })

  test('LOAD-02: a body beyond validation.maxBodyBytes → 413 before it is held whole; hostile nesting → 400, never a crash', async () => {
    const writer = await token('writer')
    const mark = upstream.seen.length
    const big = await send('POST', '/v1/data', { token: writer, body: JSON.stringify({ items: ['x'.repeat(70_000)] }) })
    assert.equal(big.status, 413)
    assert.equal(problemCode(big), 'GH_ERR_BODY_TOO_LARGE')
    const deep = await send('POST', '/v1/data', { token: writer, body: '{"items":' + '['.repeat(30_000) + ']'.repeat(30_000) + '}' })
    assert.equal(deep.status, 400)
    assert.equal(problemCode(deep), 'GH_ERR_REQUEST_INVALID')
    assert.deepEqual(seenSince(mark), [])
    // The gateway still answers.
    assert.equal((await send('GET', '/v1/data', { token: await token('reader') })).status, 200)
  })

  test('PATH-12: a readOnly property in a request body is refused', async () => {
    const answer = await send('POST', '/params/users', { body: JSON.stringify({ id: 5, name: 'Ada', email: 'ada@example.com' }) })
    assert.equal(answer.status, 400)
    const errors = (JSON.parse(answer.body) as { errors: Array<{ location: string }> }).errors
    assert.ok(errors.some((error) => error.location === 'body.id'), JSON.stringify(errors))
  })

  test('query parameters with their styles: every mismatch named by location', async () => {
    const mark = upstream.seen.length
    const ok = await send('GET', '/params/query?limit=10&tags=a&tags=b&piped=x|y&filter[role]=admin&filter[id]=7')
    assert.equal(ok.status, 204, ok.body)
    const bad = await send('GET', '/params/query?limit=500&filter[id]=seven')
    assert.equal(bad.status, 400)
    const locations = (JSON.parse(bad.body) as { errors: Array<{ location: string }> }).errors.map((error) => error.location)
    assert.ok(locations.includes('query.limit'), locations.join())
    assert.ok(locations.some((location) => location.startsWith('query.filter')), locations.join())
    const missing = await send('GET', '/params/query')
    assert.equal(missing.status, 400)
    assert.match(missing.body, /query\.limit/)
    assert.deepEqual(seenSince(mark), ['GET /params/query?limit=10&tags=a&tags=b&piped=x|y&filter[role]=admin&filter[id]=7'])
  })

  test('path parameters are typed: /users/{id} needs an integer', async () => {
    const answer = await send('GET', '/params/users/abc')
    assert.equal(answer.status, 400)
    assert.match(answer.body, /path\.id/)
  })

  test('PATH-10: /users/me wins over /users/{id} whatever the declaration order', async () => {
    const mark = upstream.seen.length
    const me = await send('GET', '/params/users/me')
    assert.equal(me.status, 200)
    assert.equal((await send('GET', '/params/users/me/')).status, 404)
    assert.deepEqual(seenSince(mark), ['GET /params/users/me'])
  })
})

describe('mocks and response validation', () => {
  test('a mocked API answers from the document\'s example without an upstream', async () => {
    const mark = upstream.seen.length
    const answer = await send('GET', '/c/v1/data', { token: await token('reader') })
    assert.equal(answer.status, 200)
    assert.match(String(answer.headers['content-type']), /^application\/json/)
    const body = JSON.parse(answer.body) as string[]
    assert.ok(Array.isArray(body) && body.length > 0 && body.every((item) => typeof item === 'string'), answer.body)
    // Security still applies to mocked operations.
    assert.equal((await send('GET', '/c/v1/data')).status, 401)
    assert.deepEqual(seenSince(mark), [])
  })

  test('responses: enforce turns an upstream answer that breaks the document into 502', async () => {
    const answer = await send('GET', '/params/users/7')
    assert.equal(answer.status, 502)
    assert.equal(problemCode(answer), 'GH_ERR_RESPONSE_INVALID')
    assert.match(answer.body, /response\.body\.id/)
  })
})

describe('documents that cannot be used', () => {
  test('CFG-08: an unresolved $ref stops the gateway from starting, naming the document, pointer and line', async () => {
    await assert.rejects(
      startGateway(`
upstreams: { services: { targets: ['${upstream.url}'] } }
apis:
  - { name: broken, spec: ${fixture('broken/unresolved-ref.yaml')}, upstream: services }
`),
      (error: Error & { issues?: Array<{ code: string; file: string; line?: number; path: string }> }) => {
        const issue = error.issues?.[0]
        assert.ok(issue !== undefined, error.message)
        assert.equal(issue.code, 'GH_ERR_CONFIG_SPEC')
        assert.match(issue.file, /unresolved-ref\.yaml$/)
        assert.ok((issue.line ?? 0) > 0)
        assert.match(issue.path, /^#\//)
        return true
      },
    )
  })

  test('CFG-04: a duplicate operationId is refused with its own code', async () => {
    await assert.rejects(
      startGateway(`
upstreams: { services: { targets: ['${upstream.url}'] } }
apis:
  - { name: dup, spec: ${fixture('broken/duplicate-operation-id.yaml')}, upstream: services }
`),
      (error: Error & { issues?: Array<{ code: string }> }) => error.issues?.[0]?.code === 'GH_ERR_CONFIG_SPEC_DUPLICATE_OPERATION_ID',
    )
  })

  test('an OAuth scheme with neither jwt settings nor a key manager is a config error at the API entry', async () => {
    await assert.rejects(
      startGateway(`
upstreams: { services: { targets: ['${upstream.url}'] } }
apis:
  - { name: api_a, spec: ${fixture('swagger2/api_a.yaml')}, upstream: services }
`),
      (error: Error & { issues?: Array<{ path: string; message: string }> }) => {
        assert.equal(error.issues?.[0]?.path, 'apis[0].security.api_a_auth')
        assert.match(error.issues[0].message, /jwt settings/)
        return true
      },
    )
  })

  test('an operationId under operations that the document lacks is named', async () => {
    await assert.rejects(
      startGateway(`
upstreams: { services: { targets: ['${upstream.url}'] } }
apis:
  - name: params
    spec: ${fixture('params.yaml')}
    upstream: services
    operations: { getUsr: { mock: true } }
`),
      /operations\.getUsr: the document has no operation with operationId "getUsr"/,
    )
  })
})

describe('reload', () => {
  test('a changed document is picked up by a reload; a broken one is refused and the running routes keep serving', async () => {
    const source = await readFile(fixture('oas30/api_c.yaml'), 'utf8')
    const local = await startGateway('upstreams: {}\n')
    try {
      const spec = join(local.dir, 'spec.yaml')
      // Without its security requirements: this test is about documents, not tokens.
      await writeFile(spec, source.replace(/^\s+security:\n\s+- api_c_auth: \[[^\]]*\]\n/gm, ''))
      await local.rewrite(`apis: [{ name: c, spec: ${spec}, basePath: /c, mock: true }]\n`)
      assert.equal((await local.gateway.reload()).ok, true)
      assert.equal((await httpRequest(`${local.url}/c/data`)).status, 200)
      assert.equal((await httpRequest(`${local.url}/c/items`)).status, 404)
      await writeFile(spec, (await readFile(spec, 'utf8')).replace('/data:', '/items:'))
      assert.equal((await local.gateway.reload()).ok, true)
      assert.equal((await httpRequest(`${local.url}/c/items`)).status, 200)
      assert.equal((await httpRequest(`${local.url}/c/data`)).status, 404)
      await writeFile(spec, 'openapi: 3.0.3\npaths: {}\n')
      const refused = await local.gateway.reload()
      assert.equal(refused.ok, false)
      assert.equal((refused as { error: { code: string } }).error.code, 'GH_ERR_CONFIG_SPEC')
      assert.equal((await httpRequest(`${local.url}/c/items`)).status, 200, 'the last good config keeps serving')
    } finally {
      await local.stop()
    }
  })
})
