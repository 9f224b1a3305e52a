// The key manager inside a running Gateway: requests under its base path and the well-known
// metadata paths are answered by it before routing; everything else is proxied as before.
import assert from 'node:assert/strict'
import { stat } from 'node:fs/promises'
import { join } from 'node:path'
import { after, before, describe, test } from 'node:test'
import { basicAuthorization } from '../../src/keymanager/clients/basic-credentials.ts'
import { startGateway, type TestGateway } from '../helpers/gateway.ts'
import { startUpstream, type TestUpstream } from '../helpers/servers.ts'
import { claimsOf, GATEWAY_ISSUER, GATEWAY_KEY_MANAGER_YAML, registerServiceClient } from './auth-server-kit.ts'

describe('key manager in the gateway', () => {
  let upstream: TestUpstream
  let gateway: TestGateway
  before(async () => {
    upstream = await startUpstream()
    gateway = await startGateway([
      'upstreams:',
      `  app: { targets: ["${upstream.url}"] }`,
      'routes:',
      '  - { name: everything, path: /, upstream: app }',
      GATEWAY_KEY_MANAGER_YAML,
      '',
    ].join('\n'))
  })
  after(async () => {
    await gateway.stop()
    await upstream.close()
  })

  test('the registry, the token endpoint and the metadata answer on the gateway\'s listener', async () => {
    const { clientId, clientSecret } = await registerServiceClient(gateway.url, 'via gateway', 'read')
    const token = await fetch(`${gateway.url}/oauth2/token`, {
      method: 'POST',
      headers: { authorization: basicAuthorization(clientId, clientSecret), 'content-type': 'application/x-www-form-urlencoded' },
      body: 'grant_type=client_credentials',
    })
    assert.equal(token.status, 200)
    const { access_token: accessToken } = await token.json() as { access_token: string }
    assert.equal(claimsOf(accessToken).iss, GATEWAY_ISSUER)
    const metadata = await (await fetch(`${gateway.url}/.well-known/oauth-authorization-server/oauth2`)).json() as Record<string, unknown>
    assert.equal(metadata.token_endpoint, 'https://auth.example.test/oauth2/token')
    assert.equal(upstream.seen.length, 0, 'none of this reached the upstream')
  })

  test('other paths are proxied as before', async () => {
    const answer = await fetch(`${gateway.url}/oauth2x/token`)
    assert.equal(answer.status, 200)
    assert.deepEqual(upstream.seen.map((request) => request.url), ['/oauth2x/token'])
  })

  test('the store and its generated pepper are created beside the config file, private', async () => {
    const db = join(gateway.dir, '.gatehouse', 'gatehouse.db')
    assert.equal((await stat(db)).mode & 0o777, 0o600)
    assert.equal((await stat(`${db}.pepper`)).mode & 0o777, 0o600)
  })
})
