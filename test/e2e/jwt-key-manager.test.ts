// The jwt policy naming the gateway's own key manager (`keyManager: true`): issuer, audience and
// keys come from the keyManager section and are read in process. Tokens from the gateway's token
// endpoint are accepted, a rotation with `gatehouse keys rotate --now` is picked up without a
// restart, and a token's client id names its consumer for the upstream (`gatehouse consumers`).
import assert from 'node:assert/strict'
import { join } from 'node:path'
import { after, before, describe, test } from 'node:test'
import { basicAuthorization } from '../../src/keymanager/clients/basic-credentials.ts'
import { loadSigningKey } from '../../src/keymanager/keys/loaded-key.ts'
import { signJwt } from '../../src/keymanager/tokens/sign-jwt.ts'
import { openStore } from '../../src/store/index.ts'
import { eventually, runCli } from '../helpers/cli.ts'
import { startGateway, type TestGateway } from '../helpers/gateway.ts'
import { httpRequest, problemCode, type HttpAnswer } from '../helpers/http-client.ts'
import { startUpstream, type TestUpstream } from '../helpers/servers.ts'
import { ADMIN_TOKEN, claimsOf, registerServiceClient, startAuthServer, type AuthServer } from '../keymanager/auth-server-kit.ts'

const ISSUER = 'https://auth.example.test/oauth2'

let upstream: TestUpstream
let gw: TestGateway
let other: AuthServer
let client: { clientId: string; clientSecret: string }

before(async () => {
  upstream = await startUpstream()
  gw = await startGateway(`
upstreams: { app: { targets: ['${upstream.url}'] } }
consumerRefreshSeconds: 1
routes:
  - name: own
    paths: [/own]
    upstream: app
    policies:
      jwt:
        issuers: [{ keyManager: true }]
        scopes: [orders.read]
        identityHeaders: { subject: X-Subject, clientId: X-Client-Id, consumerId: X-Consumer-Id }
keyManager:
  issuer: ${ISSUER}
  adminToken: ${ADMIN_TOKEN}
  passwordHashing: { N: 1024 }
`)
  client = await registerServiceClient(gw.url, 'orders app', 'orders.read orders.write')
  other = await startAuthServer()
})

after(async () => {
  await gw?.stop()
  await upstream?.close()
  await other?.close()
})

/** A client-credentials token from the gateway's own token endpoint. */
async function issue(credentials = client, scope?: string): Promise<string> {
  const answer = await fetch(`${gw.url}/oauth2/token`, {
    method: 'POST',
    headers: { authorization: basicAuthorization(credentials.clientId, credentials.clientSecret), 'content-type': 'application/x-www-form-urlencoded' },
    body: scope === undefined ? 'grant_type=client_credentials' : `grant_type=client_credentials&scope=${encodeURIComponent(scope)}`,
  })
  assert.equal(answer.status, 200)
  return (await answer.json() as { access_token: string }).access_token
}

function call(token: string): Promise<HttpAnswer> {
  return httpRequest(`${gw.url}/own`, { headers: { authorization: `Bearer ${token}` } })
}

const kidOf = (token: string): string => (JSON.parse(Buffer.from(token.split('.')[0], 'base64url').toString('utf8')) as { kid: string }).kid

describe('jwt issuer keyManager: true', () => {
  test('accepts the gateway\'s own tokens, with issuer and audience from the keyManager section', async () => {
    const token = await issue()
    assert.equal(claimsOf(token).iss, ISSUER)
    const before = upstream.seen.length
    const answer = await call(token)
    assert.equal(answer.status, 200, answer.body)
    const seen = upstream.seen[before]
    assert.equal(seen.headers['x-subject'], client.clientId)
    assert.equal(seen.headers['x-client-id'], client.clientId)
    assert.equal(seen.headers['x-consumer-id'], undefined, 'no consumer links this client yet')
  })

  test('a token without the route\'s scope is refused with 403 insufficient_scope', async () => {
    const answer = await call(await issue(client, 'orders.write'))
    assert.equal(answer.status, 403)
    assert.equal(problemCode(answer), 'GH_ERR_AUTH_INSUFFICIENT_SCOPE')
  })

  test('JWT-09: another authorization server\'s token is refused, however valid it is there', async () => {
    const app = await other.register({ scope: 'orders.read' })
    const foreign = await other.post('token', { grant_type: 'client_credentials' }, app)
    assert.equal(foreign.status, 200)
    const before = upstream.seen.length
    const answer = await call(foreign.json.access_token as string)
    assert.equal(answer.status, 401)
    assert.equal(problemCode(answer), 'GH_ERR_AUTH_TOKEN_INVALID')
    assert.equal(upstream.seen.length, before, 'nothing reached the upstream')
  })

  test('a client linked to a consumer sends the consumer id upstream; a suspended consumer gets 403', async () => {
    const linked = await registerServiceClient(gw.url, 'orders app', 'orders.read')
    const created = await runCli(['consumers', 'create', 'billing', '--client-id', linked.clientId, '--config', gw.configFile])
    assert.equal(created.code, 0, created.stderr)
    const token = await issue(linked)
    // The directory follows the store every consumerRefreshSeconds (1 s here).
    assert.ok(await eventually(async () => {
      const answer = await call(token)
      return answer.status === 200 && upstream.seen.at(-1)?.headers['x-consumer-id'] === 'billing'
    }, 5000, 100), 'the consumer id reaches the upstream')
    const suspended = await runCli(['consumers', 'suspend', 'billing', '--config', gw.configFile])
    assert.equal(suspended.code, 0, suspended.stderr)
    assert.ok(await eventually(async () => (await call(token)).status === 403, 5000, 100))
    const answer = await call(token)
    assert.equal(problemCode(answer), 'GH_ERR_AUTH_CONSUMER_SUSPENDED')
  })

  test('SMUG-13: an X-Consumer-Id sent by the client never reaches the upstream', async () => {
    const before = upstream.seen.length
    const answer = await httpRequest(`${gw.url}/own`, { headers: { authorization: `Bearer ${await issue()}`, 'x-consumer-id': 'admin' } })
    assert.equal(answer.status, 200)
    assert.equal(upstream.seen[before].headers['x-consumer-id'], undefined)
  })

  test('a key rotated with `gatehouse keys rotate --now` is used and accepted without a restart', async () => {
    const oldToken = await issue()
    const rotated = await runCli(['keys', 'rotate', '--now', '--config', gw.configFile])
    assert.equal(rotated.code, 0, rotated.stderr)
    const newKid = /signing key (\S+):/.exec(rotated.stdout)?.[1] as string
    assert.ok(newKid !== undefined && newKid !== kidOf(oldToken), rotated.stdout)

    // Another process (a worker, the CLI) signing with the new key before this one has read it:
    // the policy's unknown-kid path makes the key manager re-read its store (at most every 10 s).
    const store = await openStore({ type: 'sqlite', path: join(gw.dir, '.gatehouse', 'gatehouse.db') })
    const record = (await store.listKeys()).find((key) => key.kid === newKid)
    await store.close()
    assert.ok(record !== undefined)
    const key = loadSigningKey(record)
    const now = Math.floor(Date.now() / 1000)
    const claims = { iss: ISSUER, sub: 'elsewhere', aud: ISSUER, exp: now + 300, iat: now, jti: 'rotated-1', client_id: 'elsewhere', scope: 'orders.read' }
    const signedElsewhere = signJwt({ alg: key.algorithm, kid: key.kid, typ: 'at+jwt' }, claims, key)
    assert.ok(await eventually(async () => (await call(signedElsewhere)).status === 200, 20_000, 250), 'a token signed with the new key is accepted')

    // This process has the new key now: its token endpoint signs with it and the route takes it.
    const newToken = await issue()
    assert.equal(kidOf(newToken), newKid)
    assert.equal((await call(newToken)).status, 200)
    assert.equal((await call(oldToken)).status, 200, 'the retired key stays published until its tokens expire')
  })
})
