// Two key managers on one SQLite store, as cluster workers run: a key one of them (or the CLI)
// adds is published and verified by the other without waiting for its next maintenance, and a
// client secret rotated through one is accepted and refused alike by both (KEY-07).
import assert from 'node:assert/strict'
import { after, before, describe, test } from 'node:test'
import { runCli } from '../helpers/cli.ts'
import { ADMIN_TOKEN, startAuthServer, type AuthServer, type Credentials } from './auth-server-kit.ts'

const SHARED_ISSUER = '  issuer: https://auth.example.test/oauth2'
const kidOf = (token: string): string => (JSON.parse(Buffer.from(token.split('.')[0], 'base64url').toString()) as { kid: string }).kid

describe('two key managers sharing a store', () => {
  let first: AuthServer
  let second: AuthServer
  let client: Credentials
  before(async () => {
    first = await startAuthServer({ keysRefreshIntervalMs: 0, settings: [SHARED_ISSUER] })
    client = await first.register({ scope: 'read' })
  })
  after(async () => {
    await second?.close()
    await first.close()
  })

  test('a key rotated elsewhere is in the JWKS at once, and tokens it signs introspect as active', async () => {
    const before = (await first.post('token', { grant_type: 'client_credentials' }, client)).json.access_token as string
    const rotated = await runCli(['keys', 'rotate', '--now', '--config', first.configFile])
    assert.equal(rotated.code, 0, rotated.stderr)
    // Key times are whole seconds: a key rotated in the second the first key activated signs from
    // the next second, so that the two are never ordered by chance. The CLI says when.
    const signsAt = /signs at ([^\s;]+)/.exec(rotated.stdout)?.[1]
    assert.ok(signsAt !== undefined || /signs now/.test(rotated.stdout), rotated.stdout)
    if (signsAt !== undefined) {
      const wait = Date.parse(signsAt) - Date.now()
      assert.ok(wait <= 1000, `--now activates within a second: ${rotated.stdout}`)
      await new Promise((resolve) => setTimeout(resolve, Math.max(0, wait) + 20))
    }
    second = await startAuthServer({ storePath: (first.config.store as { path: string }).path, settings: [SHARED_ISSUER] })
    const token = await second.post('token', { grant_type: 'client_credentials' }, client)
    assert.equal(token.status, 200, token.text)
    const newToken = token.json.access_token as string
    assert.notEqual(kidOf(newToken), kidOf(before), 'the second server signs with the new key')
    const info = await first.post('introspect', { token: newToken }, client)
    assert.equal(info.json.active, true, 'an unknown kid makes the first server re-read its keys')
    const published = ((await first.request('/oauth2/jwks')).json.keys as Array<{ kid: string }>).map((key) => key.kid)
    assert.ok(published.includes(kidOf(newToken)), 'the first server publishes the new key')
  })
})

describe('client secret rotation across two key managers sharing a store', () => {
  let first: AuthServer
  let second: AuthServer
  const admin = { authorization: `Bearer ${ADMIN_TOKEN}`, 'content-type': 'application/json' }
  const status = async (server: AuthServer, credentials: Credentials): Promise<number> => (await server.post('token', { grant_type: 'client_credentials' }, credentials)).status
  const rotate = async (server: AuthServer, clientId: string, overlapSeconds: number): Promise<Credentials> => {
    const answer = await server.request(`/oauth2/client/${clientId}/secret`, { method: 'POST', headers: admin, body: JSON.stringify({ overlapSeconds }) })
    assert.equal(answer.status, 200, answer.text)
    return { clientId, clientSecret: answer.json.clientSecret as string }
  }
  before(async () => {
    first = await startAuthServer({ settings: [SHARED_ISSUER] })
    second = await startAuthServer({ storePath: (first.config.store as { path: string }).path, settings: [SHARED_ISSUER] })
  })
  after(async () => {
    await second.close()
    await first.close()
  })

  test('KEY-07: rotated through one node, old and new secrets work on both during the overlap; the old one on neither after', async () => {
    const old = await first.register({ scope: 'read' })
    const fresh = await rotate(first, old.clientId, 60)
    for (const server of [first, second]) assert.deepEqual([await status(server, old), await status(server, fresh)], [200, 200])
    for (const server of [first, second]) server.advance(61)
    for (const server of [first, second]) assert.deepEqual([await status(server, old), await status(server, fresh)], [401, 200])
  })

  test('KEY-07: with overlap 0 through the other node, the old secret is refused on both at once', async () => {
    const old = await second.register({ scope: 'read' })
    assert.equal(await status(first, old), 200, 'the first node knows the client')
    const fresh = await rotate(second, old.clientId, 0)
    for (const server of [first, second]) assert.deepEqual([await status(server, old), await status(server, fresh)], [401, 200])
  })
})
