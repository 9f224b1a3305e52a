// KEY-07: client secret rotation with an overlap, through the registry API. The new secret is
// shown once; the old one is accepted until the overlap ends and then gets the same
// invalid_client as any wrong secret. Both are kept as digests only (KEY-01).
import assert from 'node:assert/strict'
import { generateKeyPairSync } from 'node:crypto'
import { existsSync, readFileSync } from 'node:fs'
import { DatabaseSync } from 'node:sqlite'
import { after, before, describe, test } from 'node:test'
import { dumpTables } from '../helpers/sqlite-dump.ts'
import { ADMIN_TOKEN, startAuthServer, type AuthServer, type Credentials, type HttpAnswer } from './auth-server-kit.ts'

const ADMIN = { authorization: `Bearer ${ADMIN_TOKEN}`, 'content-type': 'application/json' }
const DAY = 86_400

/** Whether the token endpoint accepts these credentials: 200, or 401 invalid_client. */
async function accepted(server: AuthServer, credentials: Credentials): Promise<boolean> {
  const answer = await server.post('token', { grant_type: 'client_credentials' }, credentials)
  if (answer.status === 200) return true
  assert.deepEqual([answer.status, answer.json.error], [401, 'invalid_client'], answer.text)
  return false
}

function rotate(server: AuthServer, clientId: string, body?: unknown, headers: Record<string, string> = ADMIN): Promise<HttpAnswer> {
  return server.request(`/oauth2/client/${encodeURIComponent(clientId)}/secret`, {
    method: 'POST', headers, ...(body === undefined ? {} : { body: typeof body === 'string' ? body : JSON.stringify(body) }),
  })
}

/** The rotation answer's new credentials, after checking its shape. */
function rotated(answer: HttpAnswer, clientId: string): Credentials {
  assert.equal(answer.status, 200, answer.text)
  assert.equal(answer.headers.get('cache-control'), 'no-store')
  assert.equal(answer.json.clientId, clientId)
  assert.match(answer.json.clientSecret as string, /^[A-Za-z0-9_-]{43}$/)
  return { clientId, clientSecret: answer.json.clientSecret as string }
}

/** The overlap a rotation answer shows: from the rotation (updateDt) to when the old secret stops. */
const overlapOf = (answer: HttpAnswer): number => (Date.parse(answer.json.previousSecretExpiresDt as string) - Date.parse(answer.json.updateDt as string)) / 1000

for (const store of ['sqlite', 'memory'] as const) {
  describe(`client secret rotation (${store} store)`, () => {
    let server: AuthServer
    before(async () => { server = await startAuthServer({ store }) })
    after(() => server.close())

    test('KEY-07: old and new secrets work during the overlap; afterwards the old one is invalid_client', async () => {
      const old = await server.register({ scope: 'read' })
      const answer = await rotate(server, old.clientId, { overlapSeconds: 120 })
      const fresh = rotated(answer, old.clientId)
      assert.notEqual(fresh.clientSecret, old.clientSecret)
      assert.equal(overlapOf(answer), 120)
      assert.equal(answer.json.scope, 'read', 'the answer shows the client like GET does')
      assert.deepEqual([await accepted(server, fresh), await accepted(server, old)], [true, true])

      server.advance(118)
      assert.equal(await accepted(server, old), true, 'still inside the overlap')
      server.advance(3)
      const wrong = await server.post('token', { grant_type: 'client_credentials' }, { ...old, clientSecret: 'not-the-secret' })
      const expired = await server.post('token', { grant_type: 'client_credentials' }, old)
      assert.equal(expired.status, 401)
      assert.deepEqual(expired.json, wrong.json, 'the same answer as any wrong secret')
      assert.equal(expired.headers.get('www-authenticate'), wrong.headers.get('www-authenticate'))
      assert.equal(await accepted(server, fresh), true)
      const form = { grant_type: 'client_credentials', client_id: old.clientId, client_secret: old.clientSecret }
      assert.equal((await server.post('token', form)).json.error, 'invalid_client')
    })

    test('KEY-07: a bare POST overlaps for an hour; the old secret works for introspection too', async () => {
      const old = await server.register({ scope: 'read' })
      const answer = await rotate(server, old.clientId)
      const fresh = rotated(answer, old.clientId)
      assert.equal(overlapOf(answer), 3600)
      const token = (await server.post('token', { grant_type: 'client_credentials' }, fresh)).json.access_token as string
      assert.equal((await server.post('introspect', { token }, old)).json.active, true)
      const shown = await server.request(`/oauth2/client/${old.clientId}`, { headers: ADMIN })
      assert.equal(shown.json.previousSecretExpiresDt, answer.json.previousSecretExpiresDt)
      for (const secret of [old.clientSecret, fresh.clientSecret]) assert.equal(shown.text.includes(secret), false)
    })

    test('KEY-07: overlap 0 ends the old secret at once', async () => {
      const old = await server.register({ scope: 'read' })
      const answer = await rotate(server, old.clientId, { overlapSeconds: 0 })
      const fresh = rotated(answer, old.clientId)
      assert.equal(answer.json.previousSecretExpiresDt, null)
      assert.deepEqual([await accepted(server, fresh), await accepted(server, old)], [true, false])
    })

    test('KEY-07: rotating again during an overlap keeps only the secret just replaced', async () => {
      const first = await server.register({ scope: 'read', authMethod: 'client_secret_post' })
      const second = rotated(await rotate(server, first.clientId, { overlapSeconds: 600 }), first.clientId)
      const third = rotated(await rotate(server, first.clientId, { overlapSeconds: 60 }), first.clientId)
      const viaPost = async (credentials: Credentials): Promise<number> => (await server.post('token', {
        grant_type: 'client_credentials', client_id: credentials.clientId, client_secret: credentials.clientSecret,
      })).status
      assert.deepEqual([await viaPost(first), await viaPost(second), await viaPost(third)], [401, 200, 200])
      server.advance(61)
      assert.deepEqual([await viaPost(second), await viaPost(third)], [401, 200])
    })

    test('KEY-07: PUT keeps both secrets during the overlap; moving to private_key_jwt drops them', async () => {
      const old = await server.register({ scope: 'read' })
      const fresh = rotated(await rotate(server, old.clientId, { overlapSeconds: 600 }), old.clientId)
      const settings = { clientType: 'confidential', clientProfile: 'service', clientName: 'renamed', ownerId: 'owner-1', scope: 'read' }
      const put = await server.request(`/oauth2/client/${old.clientId}`, { method: 'PUT', headers: ADMIN, body: JSON.stringify(settings) })
      assert.equal(put.status, 200, put.text)
      assert.deepEqual([await accepted(server, fresh), await accepted(server, old)], [true, true])
      const jwk = generateKeyPairSync('ec', { namedCurve: 'P-256' }).publicKey.export({ format: 'jwk' })
      const moved = await server.request(`/oauth2/client/${old.clientId}`, {
        method: 'PUT', headers: ADMIN, body: JSON.stringify({ ...settings, authMethod: 'private_key_jwt', jwks: { keys: [{ ...jwk, kid: 'k1' }] } }),
      })
      assert.equal(moved.status, 200, moved.text)
      assert.equal(moved.json.previousSecretExpiresDt, null)
      assert.deepEqual([await accepted(server, fresh), await accepted(server, old)], [false, false])
    })

    test('KEY-07: clients without a secret cannot rotate one (400 naming authMethod)', async () => {
      const spa = await server.register({ clientType: 'public', scope: 'read', grantTypes: ['refresh_token'] })
      const jwk = generateKeyPairSync('ec', { namedCurve: 'P-256' }).publicKey.export({ format: 'jwk' })
      const signer = await server.register({ scope: 'read', authMethod: 'private_key_jwt', jwks: { keys: [{ ...jwk, kid: 'k1' }] } })
      for (const clientId of [spa.clientId, signer.clientId]) {
        const answer = await rotate(server, clientId)
        assert.deepEqual([answer.status, answer.json.code], [400, 'GH_ERR_BAD_REQUEST'], answer.text)
        assert.match(answer.json.detail as string, /^authMethod: the client uses (none|private_key_jwt), which has no secret to rotate/)
      }
    })

    test('KEY-07: bad overlap values and bodies are 400 naming the problem; the secret stays', async () => {
      const client = await server.register({ scope: 'read' })
      const cases: Array<[unknown, RegExp]> = [
        [{ overlapSeconds: -1 }, /^overlapSeconds: must be a whole number of seconds from 0 to 2592000 \(30 days\)$/],
        [{ overlapSeconds: 30 * DAY + 1 }, /^overlapSeconds: must be a whole number/],
        [{ overlapSeconds: 1.5 }, /^overlapSeconds: must be a whole number/],
        [{ overlapSeconds: '60' }, /^overlapSeconds: must be a whole number/],
        [{ overlapSeconds: null }, /^overlapSeconds: must be a whole number/],
        [{ overlap: 60 }, /^overlap: unknown field; known fields: overlapSeconds$/],
        [[60], /^body: must be a JSON object/],
        ['{', /^body: is not valid JSON$/],
      ]
      for (const [body, detail] of cases) {
        const answer = await rotate(server, client.clientId, body)
        assert.deepEqual([answer.status, answer.json.code], [400, 'GH_ERR_BAD_REQUEST'], JSON.stringify(body))
        assert.match(answer.json.detail as string, detail)
      }
      const form = await rotate(server, client.clientId, 'overlapSeconds=60', { ...ADMIN, 'content-type': 'application/x-www-form-urlencoded' })
      assert.deepEqual([form.status, form.json.detail], [400, 'body: must be application/json'])
      assert.equal(await accepted(server, client), true, 'nothing was rotated')
      const atMost = await rotate(server, client.clientId, { overlapSeconds: 30 * DAY })
      assert.equal(overlapOf(atMost), 30 * DAY)
    })

    test('KEY-07: unknown client 404, no or wrong admin token 401, other methods refused with Allow', async () => {
      const missing = await rotate(server, 'no-such-client', { overlapSeconds: 60 })
      assert.deepEqual([missing.status, missing.json.code], [404, 'GH_ERR_ADMIN_NOT_FOUND'])
      const client = await server.register({ scope: 'read' })
      for (const headers of [{ 'content-type': 'application/json' }, { ...ADMIN, authorization: 'Bearer wrong-token-0123456789' }]) {
        const answer = await rotate(server, client.clientId, { overlapSeconds: 0 }, headers)
        assert.deepEqual([answer.status, answer.json.code], [401, 'GH_ERR_ADMIN_UNAUTHORIZED'])
      }
      assert.equal(await accepted(server, client), true, 'an unauthorised call rotated nothing')
      const get = await server.request(`/oauth2/client/${client.clientId}/secret`, { headers: ADMIN })
      assert.deepEqual([get.status, get.headers.get('allow')], [400, 'POST'])
      assert.equal((await server.request(`/oauth2/client/${client.clientId}/other`, { method: 'POST', headers: ADMIN })).status, 404)
    })
  })
}

describe('client secret rotation at rest', () => {
  let server: AuthServer
  before(async () => { server = await startAuthServer() })
  after(() => server.close())

  test('KEY-07 / KEY-01: the previous secret is stored only as its digest, beside the new one', async () => {
    const old = await server.register({ scope: 'read' })
    const path = (server.config.store as { path: string }).path
    const columns = (): Record<string, unknown> => {
      const db = new DatabaseSync(path, { readOnly: true })
      try {
        return { ...db.prepare('SELECT secret_digest, previous_secret_digest, previous_secret_expires_at FROM clients WHERE client_id = ?').get(old.clientId) }
      } finally {
        db.close()
      }
    }
    const before = columns()
    assert.match(before.secret_digest as string, /^[0-9a-f]{64}$/)
    assert.deepEqual([before.previous_secret_digest, before.previous_secret_expires_at], [null, null])
    const fresh = rotated(await rotate(server, old.clientId, { overlapSeconds: 300 }), old.clientId)
    const afterRotation = columns()
    assert.equal(afterRotation.previous_secret_digest, before.secret_digest, 'the old digest moved over, not the old secret')
    assert.match(afterRotation.secret_digest as string, /^[0-9a-f]{64}$/)
    assert.notEqual(afterRotation.secret_digest, before.secret_digest)
    assert.ok(Math.abs(Number(afterRotation.previous_secret_expires_at) - (Date.now() / 1000 + 300)) <= 2)

    const dump = dumpTables(path)
    const raw = [path, `${path}-wal`].filter(existsSync).map((file) => readFileSync(file).toString('latin1')).join('')
    for (const secret of [old.clientSecret, fresh.clientSecret]) {
      assert.equal(dump.includes(secret), false, 'absent from the tables')
      assert.equal(raw.includes(secret), false, 'absent from the file bytes')
    }
  })

  test('KEY-07: once the overlap has ended, maintenance removes the previous digest from the store', async () => {
    const maintained = await startAuthServer({ maintenanceIntervalMs: 50 })
    try {
      const old = await maintained.register({ scope: 'read' })
      const path = (maintained.config.store as { path: string }).path
      const previousDigest = (): unknown => {
        const db = new DatabaseSync(path, { readOnly: true })
        try {
          return db.prepare('SELECT previous_secret_digest FROM clients WHERE client_id = ?').get(old.clientId)?.previous_secret_digest
        } finally {
          db.close()
        }
      }
      rotated(await rotate(maintained, old.clientId, { overlapSeconds: 120 }), old.clientId)
      await new Promise((resolve) => setTimeout(resolve, 200))
      assert.match(String(previousDigest()), /^[0-9a-f]{64}$/, 'kept while the overlap runs, through several maintenance runs')
      maintained.advance(121)
      const deadline = Date.now() + 5000
      while (previousDigest() !== null && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 25))
      assert.equal(previousDigest(), null)
      const shown = await maintained.request(`/oauth2/client/${old.clientId}`, { headers: ADMIN })
      assert.equal(shown.json.previousSecretExpiresDt, null, 'the registry shows no previous secret any more')
      assert.equal(await accepted(maintained, old), false)
    } finally {
      await maintained.close()
    }
  })
})
