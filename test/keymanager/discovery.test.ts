// RFC 8414 metadata at every place client libraries look for it, and the JWKS that verifies the
// issued tokens.
import assert from 'node:assert/strict'
import { createPublicKey, verify, type JsonWebKey } from 'node:crypto'
import { after, before, describe, test } from 'node:test'
import { startAuthServer, type AuthServer, type Credentials } from './auth-server-kit.ts'

describe('metadata and JWKS', () => {
  let server: AuthServer
  let client: Credentials
  before(async () => {
    server = await startAuthServer({ settings: ['  signing: { algorithm: RS256 }'] })
    client = await server.register({ scope: 'read' })
  })
  after(() => server.close())

  test('the metadata is served at the root, inserted before and appended to the issuer path, for both names', async () => {
    const paths = [
      '/.well-known/oauth-authorization-server', '/.well-known/oauth-authorization-server/oauth2', '/oauth2/.well-known/oauth-authorization-server',
      '/.well-known/openid-configuration', '/.well-known/openid-configuration/oauth2', '/oauth2/.well-known/openid-configuration',
    ]
    for (const path of paths) {
      const answer = await server.request(path)
      assert.equal(answer.status, 200, path)
      assert.equal(answer.json.issuer, server.issuer, path)
      assert.equal(answer.json.token_endpoint, server.tokenUrl)
    }
    const metadata = (await server.request(paths[0])).json
    assert.equal(metadata.jwks_uri, `${server.origin}/oauth2/jwks`)
    assert.equal(metadata.introspection_endpoint, `${server.origin}/oauth2/introspect`)
    assert.equal(metadata.revocation_endpoint, `${server.origin}/oauth2/revoke`)
    assert.deepEqual(metadata.grant_types_supported, ['client_credentials', 'password', 'refresh_token', 'urn:ietf:params:oauth:grant-type:jwt-bearer'])
    assert.deepEqual(metadata.token_endpoint_auth_methods_supported, ['client_secret_basic', 'client_secret_post', 'private_key_jwt', 'none'])
    assert.ok(!(metadata.token_endpoint_auth_signing_alg_values_supported as string[]).some((alg) => alg.startsWith('HS')))
  })

  test('an issued token verifies with the published key of its kid', async () => {
    const token = (await server.post('token', { grant_type: 'client_credentials' }, client)).json.access_token as string
    const [header, payload, signature] = token.split('.')
    const { kid, alg } = JSON.parse(Buffer.from(header, 'base64url').toString()) as { kid: string; alg: string }
    assert.equal(alg, 'RS256')
    const jwks = await server.request('/oauth2/jwks')
    assert.equal(jwks.status, 200)
    assert.match(jwks.headers.get('cache-control') ?? '', /^public, max-age=\d+$/)
    const jwk = (jwks.json.keys as Array<Record<string, unknown>>).find((key) => key.kid === kid)
    assert.ok(jwk !== undefined, 'the signing key is published')
    assert.deepEqual([jwk.alg, jwk.use, 'd' in jwk], ['RS256', 'sig', false])
    const key = createPublicKey({ key: jwk as JsonWebKey, format: 'jwk' })
    assert.equal(verify('sha256', Buffer.from(`${header}.${payload}`), key, Buffer.from(signature, 'base64url')), true)
  })

  test('HEAD works, other methods are 405', async () => {
    const head = await server.request('/oauth2/jwks', { method: 'HEAD' })
    assert.equal(head.status, 200)
    assert.equal(head.text, '')
    const post = await server.request('/.well-known/openid-configuration', { method: 'POST' })
    assert.equal(post.status, 405)
    assert.equal(post.headers.get('allow'), 'GET, HEAD')
  })
})
