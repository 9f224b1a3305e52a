// Introspection (RFC 7662) and revocation (RFC 7009), with token persistence on and off
// (OAUTH-14). The semantics tested here are the ones documented in src/keymanager/README.md.
import assert from 'node:assert/strict'
import { after, before, describe, test } from 'node:test'
import { startAuthServer, type AuthServer, type Credentials } from './auth-server-kit.ts'

for (const persist of [true, false]) {
  describe(`introspection and revocation (persist: ${persist})`, () => {
    let server: AuthServer
    let app: Credentials
    let other: Credentials
    let resourceServer: Credentials
    const issue = async (as = app): Promise<{ access: string; refresh: string }> => {
      const answer = await server.post('token', { grant_type: 'password', username: 'alice', password: 'alice-password' }, as)
      assert.equal(answer.status, 200, answer.text)
      return { access: answer.json.access_token as string, refresh: answer.json.refresh_token as string }
    }
    const introspect = async (token: string, as: Credentials = app): Promise<Record<string, unknown>> => {
      const answer = await server.post('introspect', { token }, as)
      assert.equal(answer.status, 200, answer.text)
      return answer.json
    }

    before(async () => {
      server = await startAuthServer({ persist })
      const grants = ['password', 'refresh_token']
      app = await server.register({ scope: 'read', grantTypes: grants })
      other = await server.register({ scope: 'read', grantTypes: grants })
      resourceServer = await server.register({ scope: 'read', clientType: 'trusted' })
      await server.createUser('alice', 'alice-password')
    })
    after(() => server.close())

    test('an active access token: its claims, to its own client and to a trusted resource server', async () => {
      const { access } = await issue()
      for (const as of [app, resourceServer]) {
        const info = await introspect(access, as)
        assert.equal(info.active, true)
        assert.equal(info.client_id, app.clientId)
        assert.equal(info.sub, 'alice')
        assert.equal(info.scope, 'read')
        assert.equal(info.token_type, 'Bearer')
        assert.equal(info.iss, server.issuer)
      }
    })

    test('OAUTH-14: introspection without client authentication is 401', async () => {
      const { access } = await issue()
      const answer = await server.post('introspect', { token: access })
      assert.deepEqual([answer.status, answer.json.error], [401, 'invalid_client'])
    })

    test('OAUTH-14: garbage, another client\'s token, an expired token: {"active":false} and nothing else', async () => {
      const { access } = await issue()
      assert.deepEqual(await introspect('garbage'), { active: false })
      assert.deepEqual(await introspect(`${access.slice(0, -4)}AAAA`), { active: false })
      assert.deepEqual(await introspect(access, other), { active: false }, 'issued to another client, not for this caller\'s audience')
      server.advance(3601)
      try {
        assert.deepEqual(await introspect(access), { active: false })
      } finally {
        server.advance(-3601)
      }
    })

    test('OAUTH-14: revoking unknown or garbage tokens is 200 and changes nothing', async () => {
      for (const token of ['garbage', 'A'.repeat(43), 'a.b.c']) {
        const answer = await server.post('revoke', { token }, app)
        assert.equal(answer.status, 200)
        assert.equal(answer.headers.get('cache-control'), 'no-store')
      }
    })

    test('OAUTH-14: a token issued to another client is not revoked (200 without effect)', async () => {
      const { access, refresh } = await issue()
      assert.equal((await server.post('revoke', { token: refresh }, other)).status, 200)
      assert.equal((await introspect(refresh)).active, true)
      if (persist) {
        assert.equal((await server.post('revoke', { token: access }, other)).status, 200)
        assert.equal((await introspect(access)).active, true)
      }
    })

    test('OAUTH-14: revoking a refresh token revokes its family; with persistence its access tokens too', async () => {
      const { access, refresh } = await issue()
      const answer = await server.post('revoke', { token: refresh, token_type_hint: 'refresh_token' }, app)
      assert.equal(answer.status, 200)
      assert.deepEqual(await introspect(refresh), { active: false })
      assert.equal((await server.post('token', { grant_type: 'refresh_token', refresh_token: refresh }, app)).json.error, 'invalid_grant')
      // Without persistence nothing records the access token: it stays active until it expires.
      assert.equal((await introspect(access)).active, !persist)
    })

    test(persist
      ? 'OAUTH-14: revoking an access token makes it inactive at once'
      : 'revoking an access token is unsupported_token_type: nothing records it', async () => {
      const { access } = await issue()
      const answer = await server.post('revoke', { token: access, token_type_hint: 'access_token' }, app)
      if (persist) {
        assert.equal(answer.status, 200)
        assert.deepEqual(await introspect(access), { active: false })
      } else {
        assert.deepEqual([answer.status, answer.json.error], [400, 'unsupported_token_type'])
        assert.equal((await introspect(access)).active, true)
      }
    })

    test('a refresh token introspects as active for its own client only', async () => {
      const { refresh } = await issue()
      const info = await introspect(refresh)
      assert.equal(info.active, true)
      assert.equal(info.client_id, app.clientId)
      assert.equal(info.sub, 'alice')
      assert.deepEqual(await introspect(refresh, other), { active: false })
    })

    test('introspection and revocation answer 405 to GET and need the token parameter', async () => {
      assert.equal((await server.request('/oauth2/introspect')).status, 405)
      assert.equal((await server.request('/oauth2/revoke')).status, 405)
      assert.equal((await server.post('introspect', {}, app)).json.error, 'invalid_request')
      assert.equal((await server.post('revoke', {}, app)).json.error, 'invalid_request')
    })
  })
}
