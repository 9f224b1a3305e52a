// The token endpoint and the client_credentials grant against a real server, once per store.
import assert from 'node:assert/strict'
import { connect } from 'node:net'
import { after, before, describe, test } from 'node:test'
import { claimsOf, startAuthServer, type AuthServer, type Credentials } from './auth-server-kit.ts'

for (const store of ['sqlite', 'memory'] as const) {
  describe(`token endpoint, client_credentials (${store} store)`, () => {
    let server: AuthServer
    let client: Credentials
    before(async () => {
      server = await startAuthServer({ store })
      client = await server.register({ scope: 'read write admin', defaultScope: 'read' })
    })
    after(() => server.close())

    test('client_secret_basic: an RFC 9068 access token with no-store headers', async () => {
      const answer = await server.post('token', { grant_type: 'client_credentials', scope: 'read write' }, client)
      assert.equal(answer.status, 200, answer.text)
      assert.equal(answer.headers.get('cache-control'), 'no-store')
      assert.equal(answer.headers.get('pragma'), 'no-cache')
      assert.deepEqual(Object.keys(answer.json).sort(), ['access_token', 'expires_in', 'scope', 'token_type'])
      assert.equal(answer.json.token_type, 'Bearer')
      assert.equal(answer.json.expires_in, 3600)
      assert.equal(answer.json.scope, 'read write')
      const header = JSON.parse(Buffer.from((answer.json.access_token as string).split('.')[0], 'base64url').toString()) as Record<string, unknown>
      assert.equal(header.typ, 'at+jwt')
      assert.equal(header.alg, 'ES256')
      const claims = claimsOf(answer.json.access_token as string)
      assert.equal(claims.iss, server.issuer)
      assert.equal(claims.aud, server.issuer)
      assert.equal(claims.sub, client.clientId)
      assert.equal(claims.client_id, client.clientId)
      assert.equal((claims.exp as number) - (claims.iat as number), 3600)
    })

    test('client_secret_post is refused for a client registered with client_secret_basic, and works for one registered with it', async () => {
      const form = { grant_type: 'client_credentials', client_id: client.clientId, client_secret: client.clientSecret }
      assert.equal((await server.post('token', form)).json.error, 'invalid_client')
      const poster = await server.register({ scope: 'read', authMethod: 'client_secret_post' })
      const answer = await server.post('token', { grant_type: 'client_credentials', client_id: poster.clientId, client_secret: poster.clientSecret })
      assert.equal(answer.status, 200, answer.text)
      assert.equal(answer.json.scope, 'read')
    })

    test('no scope asked: the client\'s default scopes', async () => {
      const answer = await server.post('token', { grant_type: 'client_credentials' }, client)
      assert.equal(answer.json.scope, 'read')
    })

    test('OAUTH-01: wrong secret via Basic and unknown client give the same 401 invalid_client with a Basic challenge', async () => {
      const wrong = await server.post('token', { grant_type: 'client_credentials' }, { clientId: client.clientId, clientSecret: `${client.clientSecret}x` })
      const unknown = await server.post('token', { grant_type: 'client_credentials' }, { clientId: 'no-such-client', clientSecret: client.clientSecret })
      for (const answer of [wrong, unknown]) {
        assert.equal(answer.status, 401)
        assert.match(answer.headers.get('www-authenticate') ?? '', /^Basic realm="gatehouse"/)
        assert.equal(answer.headers.get('cache-control'), 'no-store')
        assert.equal(answer.json.error, 'invalid_client')
      }
      assert.deepEqual(wrong.json, unknown.json)
    })

    test('OAUTH-01: credentials in the query string are invalid_request', async () => {
      const answer = await server.request(`/oauth2/token?client_id=${client.clientId}&client_secret=${client.clientSecret}`, {
        method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: 'grant_type=client_credentials',
      })
      assert.equal(answer.status, 400)
      assert.equal(answer.json.error, 'invalid_request')
    })

    test('OAUTH-01: GET /token is 405 with Allow: POST', async () => {
      const answer = await server.request('/oauth2/token?grant_type=client_credentials')
      assert.equal(answer.status, 405)
      assert.equal(answer.headers.get('allow'), 'POST')
      assert.equal(answer.headers.get('cache-control'), 'no-store')
    })

    test('OAUTH-01: a JSON body is invalid_request', async () => {
      const answer = await server.request('/oauth2/token', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ grant_type: 'client_credentials' }) })
      assert.equal(answer.status, 400)
      assert.equal(answer.json.error, 'invalid_request')
    })

    test('OAUTH-01: an unknown grant_type is unsupported_grant_type; a missing one invalid_request', async () => {
      const unknown = await server.post('token', { grant_type: 'urn:example:magic' }, client)
      assert.deepEqual([unknown.status, unknown.json.error], [400, 'unsupported_grant_type'])
      const missing = await server.post('token', { scope: 'read' }, client)
      assert.deepEqual([missing.status, missing.json.error], [400, 'invalid_request'])
    })

    test('OAUTH-01: after all of that the client still gets a token', async () => {
      assert.equal((await server.post('token', { grant_type: 'client_credentials' }, client)).status, 200)
    })

    test('OAUTH-09: sub or username sent by the client is ignored; the token\'s sub is the client id', async () => {
      await server.createUser('alice', 'alice-password-1')
      const answer = await server.post('token', { grant_type: 'client_credentials', sub: 'alice', username: 'alice' }, client)
      assert.equal(answer.status, 200, answer.text)
      assert.equal(claimsOf(answer.json.access_token as string).sub, client.clientId)
    })

    test('OAUTH-09: a scope the client is not registered for is invalid_scope', async () => {
      const answer = await server.post('token', { grant_type: 'client_credentials', scope: 'read billing' }, client)
      assert.deepEqual([answer.status, answer.json.error], [400, 'invalid_scope'])
      assert.match(answer.json.error_description as string, /"billing"/)
    })

    test('two authentication methods in one request are invalid_request', async () => {
      const answer = await server.post('token', { grant_type: 'client_credentials', client_id: client.clientId, client_secret: client.clientSecret }, client)
      assert.deepEqual([answer.status, answer.json.error], [400, 'invalid_request'])
    })

    test('no client authentication at all is 401 invalid_client', async () => {
      const answer = await server.post('token', { grant_type: 'client_credentials' })
      assert.deepEqual([answer.status, answer.json.error], [401, 'invalid_client'])
    })

    test('a client not registered for a grant is unauthorized_client', async () => {
      const answer = await server.post('token', { grant_type: 'password', username: 'alice', password: 'alice-password-1' }, client)
      assert.deepEqual([answer.status, answer.json.error], [400, 'unauthorized_client'])
    })

    test('a parameter given twice is invalid_request (RFC 6749 §3.1)', async () => {
      const answer = await server.request('/oauth2/token', {
        method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded', authorization: `Basic ${Buffer.from(`${client.clientId}:${client.clientSecret}`).toString('base64')}` },
        body: 'grant_type=client_credentials&scope=read&scope=admin',
      })
      assert.deepEqual([answer.status, answer.json.error], [400, 'invalid_request'])
    })

    test('a form body over 16 KiB is 413 and the connection closes', async () => {
      const answer = await server.request('/oauth2/token', { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: `grant_type=client_credentials&pad=${'a'.repeat(17 * 1024)}` })
      assert.equal(answer.status, 413)
      assert.equal(answer.json.error, 'invalid_request')
      assert.equal(answer.headers.get('connection'), 'close')
    })

    test('a request refused before its body was read closes the connection instead of draining the body', async () => {
      const port = Number(new URL(server.origin).port)
      const raw = await new Promise<string>((resolve) => {
        let received = ''
        const socket = connect(port, '127.0.0.1', () => {
          socket.write('POST /oauth2/token?client_secret=x HTTP/1.1\r\nHost: a\r\nContent-Type: application/x-www-form-urlencoded\r\nContent-Length: 1000000\r\n\r\ngrant_type=')
        })
        socket.on('data', (chunk: Buffer) => (received += chunk.toString('latin1')))
        socket.on('close', () => resolve(received))
      })
      assert.match(raw, /^HTTP\/1\.1 400 /)
      assert.match(raw, /\r\nconnection: close\r\n/i)
    })

    test('an unknown path under the base path is 404, and other paths are not the key manager\'s', async () => {
      assert.equal((await server.request('/oauth2/authorize')).status, 404)
      assert.equal(server.km.matches('/oauth2x/token'), false)
      assert.equal(server.km.matches('/oauth2/token?x=1'), true)
    })
  })
}
