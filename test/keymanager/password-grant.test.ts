// The resource-owner password grant (RFC 6749 §4.3) and its protections (OAUTH-13).
import assert from 'node:assert/strict'
import { after, before, describe, test } from 'node:test'
import { claimsOf, startAuthServer, type AuthServer, type Credentials } from './auth-server-kit.ts'

for (const store of ['sqlite', 'memory'] as const) {
  describe(`password grant (${store} store)`, () => {
    let server: AuthServer
    let app: Credentials
    let other: Credentials
    before(async () => {
      // The default production cost, so the latency comparison measures scrypt rather than noise.
      server = await startAuthServer({ store, scryptN: 16384, settings: ['  throttle: { maxFailures: 10, windowSeconds: 60 }'] })
      app = await server.register({ scope: 'read write', defaultScope: 'read', grantTypes: ['password', 'refresh_token'] })
      other = await server.register({ scope: 'read write' })
      await server.createUser('alice', 'correct horse battery', 'read')
      await server.createUser('bob', 'bob-password-123')
    })
    after(() => server.close())

    test('a user and the right password get an access token for the user and a refresh token', async () => {
      const answer = await server.post('token', { grant_type: 'password', username: 'alice', password: 'correct horse battery' }, app)
      assert.equal(answer.status, 200, answer.text)
      assert.equal(answer.headers.get('cache-control'), 'no-store')
      const claims = claimsOf(answer.json.access_token as string)
      assert.equal(claims.sub, 'alice')
      assert.equal(claims.client_id, app.clientId)
      assert.equal(answer.json.scope, 'read')
      assert.match(answer.json.refresh_token as string, /^[A-Za-z0-9_-]{43}$/)
    })

    test('a user limited to some scopes cannot be granted others (invalid_scope)', async () => {
      const answer = await server.post('token', { grant_type: 'password', username: 'alice', password: 'correct horse battery', scope: 'write' }, app)
      assert.deepEqual([answer.status, answer.json.error], [400, 'invalid_scope'])
      const bob = await server.post('token', { grant_type: 'password', username: 'bob', password: 'bob-password-123', scope: 'read write' }, app)
      assert.equal(bob.json.scope, 'read write')
    })

    test('OAUTH-13: the grant is off for clients not registered for it (unauthorized_client)', async () => {
      const answer = await server.post('token', { grant_type: 'password', username: 'alice', password: 'correct horse battery' }, other)
      assert.deepEqual([answer.status, answer.json.error], [400, 'unauthorized_client'])
    })

    test('OAUTH-13: an unknown user gets the same error as a wrong password, after a similar time', async () => {
      const attempt = async (username: string): Promise<{ ms: number; body: Record<string, unknown> }> => {
        const started = performance.now()
        const answer = await server.post('token', { grant_type: 'password', username, password: 'not the password' }, app)
        assert.equal(answer.status, 400)
        return { ms: performance.now() - started, body: answer.json }
      }
      const wrong = await attempt('bob')
      const unknown = await attempt('mallory')
      assert.deepEqual(unknown.body, wrong.body)
      assert.equal(wrong.body.error, 'invalid_grant')
      const known: number[] = []
      const missing: number[] = []
      for (let round = 0; round < 5; round++) {
        known.push((await attempt(`bob`)).ms)
        missing.push((await attempt(`nobody-${round}`)).ms)
      }
      const median = (values: number[]): number => [...values].sort((a, b) => a - b)[2]
      const ratio = median(missing) / median(known)
      assert.ok(ratio > 0.33 && ratio < 3, `unknown/known median latency ratio ${ratio.toFixed(2)}`)
      // Let bob log in again, which forgives his counted failures.
      assert.equal((await server.post('token', { grant_type: 'password', username: 'bob', password: 'bob-password-123' }, app)).status, 200)
    })

    test('OAUTH-13: after 10 failures in the window the username gets 429 with Retry-After, even with the right password', async () => {
      await server.createUser('carol', 'carol-password-1')
      for (let i = 0; i < 10; i++) {
        const answer = await server.post('token', { grant_type: 'password', username: 'carol', password: `guess-${i}` }, app)
        assert.deepEqual([answer.status, answer.json.error], [400, 'invalid_grant'], `attempt ${i + 1}`)
      }
      const throttled = await server.post('token', { grant_type: 'password', username: 'carol', password: 'carol-password-1' }, app)
      assert.equal(throttled.status, 429)
      assert.equal(throttled.json.error, 'invalid_grant')
      const retryAfter = Number(throttled.headers.get('retry-after'))
      assert.ok(retryAfter >= 1 && retryAfter <= 60, String(retryAfter))
      // Other usernames are not affected.
      assert.equal((await server.post('token', { grant_type: 'password', username: 'alice', password: 'correct horse battery' }, app)).status, 200)
      server.advance(61)
      assert.equal((await server.post('token', { grant_type: 'password', username: 'carol', password: 'carol-password-1' }, app)).status, 200)
    })

    test('OAUTH-13: an unknown username is throttled the same way', async () => {
      for (let i = 0; i < 10; i++) await server.post('token', { grant_type: 'password', username: 'ghost', password: `guess-${i}` }, app)
      assert.equal((await server.post('token', { grant_type: 'password', username: 'ghost', password: 'x' }, app)).status, 429)
    })

    test('a public client names itself with client_id only; a public client with a secret-style request is refused', async () => {
      const mobile = await server.register({ clientType: 'public', clientProfile: 'mobile', scope: 'read', grantTypes: ['password'] })
      assert.equal(mobile.clientSecret, undefined)
      const answer = await server.post('token', { grant_type: 'password', client_id: mobile.clientId, username: 'alice', password: 'correct horse battery' })
      assert.equal(answer.status, 200, answer.text)
      const withSecret = await server.post('token', { grant_type: 'password', client_id: mobile.clientId, client_secret: 'guess', username: 'alice', password: 'correct horse battery' })
      assert.deepEqual([withSecret.status, withSecret.json.error], [401, 'invalid_client'])
    })

    test('missing username or password is invalid_request', async () => {
      const answer = await server.post('token', { grant_type: 'password', username: 'alice' }, app)
      assert.deepEqual([answer.status, answer.json.error], [400, 'invalid_request'])
    })
  })
}
