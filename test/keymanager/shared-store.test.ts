// Two key managers on one SQLite store, as cluster workers run: a key one of them (or the CLI)
// adds is published and verified by the other without waiting for its next maintenance.
import assert from 'node:assert/strict'
import { after, before, describe, test } from 'node:test'
import { runCli } from '../helpers/cli.ts'
import { startAuthServer, type AuthServer, type Credentials } from './auth-server-kit.ts'

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
    const signsAt = /signs at (\S+)/.exec(rotated.stdout)?.[1]
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
