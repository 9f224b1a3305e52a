// Refresh tokens (RFC 6749 §6): rotation on every use, reuse detection revoking the family
// (RFC 9700 §4.14.2, OAUTH-07), client binding and scope narrowing (OAUTH-09).
import assert from 'node:assert/strict'
import { after, before, describe, test } from 'node:test'
import { claimsOf, startAuthServer, type AuthServer, type Credentials } from './auth-server-kit.ts'

for (const store of ['sqlite', 'memory'] as const) {
  describe(`refresh_token grant (${store} store, persistence on)`, () => {
    let server: AuthServer
    let app: Credentials
    let intruder: Credentials
    const login = async (scope = 'read write'): Promise<Record<string, unknown>> => {
      const answer = await server.post('token', { grant_type: 'password', username: 'alice', password: 'alice-password', scope }, app)
      assert.equal(answer.status, 200, answer.text)
      return answer.json
    }
    const refresh = (token: string, extra: Record<string, string> = {}, as = app) => server.post('token', { grant_type: 'refresh_token', refresh_token: token, ...extra }, as)
    const active = async (token: string): Promise<boolean> => (await server.post('introspect', { token }, app)).json.active === true

    before(async () => {
      server = await startAuthServer({ store, persist: true })
      app = await server.register({ scope: 'read write', grantTypes: ['password', 'refresh_token'] })
      intruder = await server.register({ scope: 'read write', grantTypes: ['password', 'refresh_token'] })
      await server.createUser('alice', 'alice-password')
    })
    after(() => server.close())

    test('a refresh token is exchanged for a new access token and a new refresh token', async () => {
      const first = await login()
      const answer = await refresh(first.refresh_token as string)
      assert.equal(answer.status, 200, answer.text)
      assert.equal(answer.headers.get('cache-control'), 'no-store')
      assert.notEqual(answer.json.refresh_token, first.refresh_token)
      assert.equal(answer.json.scope, 'read write')
      assert.equal(claimsOf(answer.json.access_token as string).sub, 'alice')
      assert.equal(await active(answer.json.refresh_token as string), true)
      assert.equal(await active(first.refresh_token as string), false, 'a used refresh token is no longer active')
    })

    test('OAUTH-07: presenting a rotated refresh token again revokes the whole family, new tokens included', async () => {
      const first = await login()
      const second = (await refresh(first.refresh_token as string)).json
      assert.equal(await active(second.access_token as string), true)
      const replay = await refresh(first.refresh_token as string)
      assert.deepEqual([replay.status, replay.json.error], [400, 'invalid_grant'])
      assert.match(replay.json.error_description as string, /already used/)
      const afterReplay = await refresh(second.refresh_token as string)
      assert.deepEqual([afterReplay.status, afterReplay.json.error], [400, 'invalid_grant'])
      assert.equal(await active(second.access_token as string), false, 'A2 is revoked with its family')
      assert.equal(await active(first.access_token as string), false, 'A1 too')
    })

    test('OAUTH-07: two concurrent exchanges of one token: one wins, the other revokes the family', async () => {
      const first = await login()
      const answers = await Promise.all([refresh(first.refresh_token as string), refresh(first.refresh_token as string)])
      assert.deepEqual(answers.map((answer) => answer.status).sort(), [200, 400])
      const winner = answers.find((answer) => answer.status === 200)?.json as Record<string, unknown>
      assert.equal((await refresh(winner.refresh_token as string)).status, 400)
    })

    test('OAUTH-09: another client presenting the token gets invalid_grant, and the token keeps working for its owner', async () => {
      const first = await login()
      const stolen = await refresh(first.refresh_token as string, {}, intruder)
      assert.deepEqual([stolen.status, stolen.json.error], [400, 'invalid_grant'])
      assert.equal((await refresh(first.refresh_token as string)).status, 200)
    })

    test('OAUTH-09: a broader scope than the grant had is invalid_scope; a narrower one is granted', async () => {
      const first = await login('read')
      const broader = await refresh(first.refresh_token as string, { scope: 'read write' })
      assert.deepEqual([broader.status, broader.json.error], [400, 'invalid_scope'])
      const narrowerFirst = await login('read write')
      const narrower = await refresh(narrowerFirst.refresh_token as string, { scope: 'read' })
      assert.equal(narrower.status, 200, narrower.text)
      assert.equal(narrower.json.scope, 'read')
    })

    test('an unknown refresh token is invalid_grant', async () => {
      const answer = await refresh('A'.repeat(43))
      assert.deepEqual([answer.status, answer.json.error], [400, 'invalid_grant'])
    })

    test('an expired refresh token is invalid_grant', async () => {
      const first = await login()
      server.advance(30 * 86_400 + 1)
      try {
        const answer = await refresh(first.refresh_token as string)
        assert.deepEqual([answer.status, answer.json.error], [400, 'invalid_grant'])
        assert.match(answer.json.error_description as string, /expired/)
      } finally {
        server.advance(-(30 * 86_400 + 1))
      }
    })

    test('a client registered without refresh_token gets no refresh token', async () => {
      const plain = await server.register({ scope: 'read', grantTypes: ['password'] })
      const answer = await server.post('token', { grant_type: 'password', username: 'alice', password: 'alice-password' }, plain)
      assert.equal(answer.status, 200)
      assert.equal('refresh_token' in answer.json, false)
    })
  })
}
