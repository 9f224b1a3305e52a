// openid-client (v6, on oauth4webapi) against a running gateway, unmodified: discovery of the
// metadata, the client credentials, password and refresh grants, introspection (RFC 7662) and
// revocation (RFC 7009), with client_secret_basic, client_secret_post and private_key_jwt.
import assert from 'node:assert/strict'
import { after, before, describe, test } from 'node:test'
import { exportJWK, generateKeyPair } from 'jose'
import * as client from 'openid-client'
import { discover, oauthErrorOf, startInteropGateway, type InteropGateway } from './interop-gateway.ts'

describe('openid-client with persisted access tokens (tokens.persist: true)', () => {
  let km: InteropGateway
  before(async () => {
    km = await startInteropGateway(['  tokens: { persist: true }'])
  })
  after(() => km.stop())

  test('discovery finds the metadata by OpenID and by RFC 8414 rules, with the issuer checked', async () => {
    const { clientId, clientSecret } = await km.register({ scope: 'read write' })
    for (const algorithm of ['oidc', 'oauth2'] as const) {
      const config = await discover(km.issuer, clientId, client.ClientSecretBasic(clientSecret), algorithm)
      const metadata = config.serverMetadata()
      assert.equal(metadata.issuer, km.issuer.href)
      assert.equal(metadata.token_endpoint, km.tokenEndpoint)
      assert.equal(metadata.jwks_uri, km.jwksUri.href)
      assert.equal(metadata.introspection_endpoint, `${km.issuer.href}/introspect`)
      assert.equal(metadata.revocation_endpoint, `${km.issuer.href}/revoke`)
      assert.ok(metadata.grant_types_supported?.includes('urn:ietf:params:oauth:grant-type:jwt-bearer'))
    }
  })

  test('client credentials with client_secret_basic and client_secret_post', async () => {
    const { clientId, clientSecret } = await km.register({ scope: 'read write', defaultScope: 'read' })
    const basic = await discover(km.issuer, clientId, client.ClientSecretBasic(clientSecret))
    const tokens = await client.clientCredentialsGrant(basic, { scope: 'write' })
    assert.equal(tokens.token_type, 'bearer')
    assert.equal(tokens.scope, 'write')
    assert.equal(tokens.expires_in, 3600)
    assert.equal(tokens.refresh_token, undefined, 'client credentials get no refresh token')
    const posted = await km.register({ scope: 'read', authMethod: 'client_secret_post' })
    const post = await discover(km.issuer, posted.clientId, client.ClientSecretPost(posted.clientSecret))
    assert.equal((await client.clientCredentialsGrant(post)).scope, 'read', 'no scope asked: the default scopes')
    // 401 with a Basic challenge (RFC 6749 §5.2), which the library reports as such.
    const wrongSecret = await discover(km.issuer, clientId, client.ClientSecretBasic('not-the-secret'))
    const refused = await oauthErrorOf(client.clientCredentialsGrant(wrongSecret))
    assert.deepEqual([refused.error, refused.status, refused.challenge], ['invalid_client', 401, 'basic'])
    assert.equal((await oauthErrorOf(client.clientCredentialsGrant(basic, { scope: 'admin' }))).error, 'invalid_scope')
  })

  test('password grant, then refresh: rotated on every use; reuse revokes the family (OAUTH-07)', async () => {
    const { clientId, clientSecret } = await km.register({ scope: 'read write', grantTypes: ['password', 'refresh_token'] })
    await km.createUser('ada', 'correct horse battery')
    const config = await discover(km.issuer, clientId, client.ClientSecretBasic(clientSecret))
    const first = await client.genericGrantRequest(config, 'password', { username: 'ada', password: 'correct horse battery', scope: 'read' })
    assert.equal(typeof first.refresh_token, 'string')
    const second = await client.refreshTokenGrant(config, first.refresh_token as string)
    assert.equal(second.scope, 'read')
    assert.equal(typeof second.refresh_token, 'string')
    assert.notEqual(second.refresh_token, first.refresh_token, 'the refresh token is rotated')
    assert.equal((await client.tokenIntrospection(config, second.access_token)).active, true)
    // The first refresh token again: someone else holds it, so the whole grant ends.
    assert.equal((await oauthErrorOf(client.refreshTokenGrant(config, first.refresh_token as string))).error, 'invalid_grant')
    assert.equal((await oauthErrorOf(client.refreshTokenGrant(config, second.refresh_token as string))).error, 'invalid_grant')
    assert.equal((await client.tokenIntrospection(config, second.access_token)).active, false, 'access tokens of the family are revoked with persistence on')
  })

  test('introspection is active, then inactive after revoking the access token (OAUTH-14)', async () => {
    const { clientId, clientSecret } = await km.register({ scope: 'read' })
    const config = await discover(km.issuer, clientId, client.ClientSecretBasic(clientSecret))
    const { access_token: accessToken } = await client.clientCredentialsGrant(config)
    const active = await client.tokenIntrospection(config, accessToken)
    assert.equal(active.active, true)
    assert.equal(active.client_id, clientId)
    assert.equal(active.sub, clientId)
    assert.equal(active.scope, 'read')
    assert.equal(active.iss, km.issuer.href)
    assert.equal(active.token_type, 'Bearer')
    await client.tokenRevocation(config, accessToken, { token_type_hint: 'access_token' })
    assert.deepEqual(await client.tokenIntrospection(config, accessToken), { active: false })
    // Unknown tokens are "revoked" without complaint (RFC 7009 §2.2).
    await client.tokenRevocation(config, 'no-such-token')
  })

  test('revoking a refresh token ends its grant: refresh token and access tokens inactive', async () => {
    const { clientId, clientSecret } = await km.register({ scope: 'read', grantTypes: ['password', 'refresh_token'] })
    await km.createUser('grace', 'another long password')
    const config = await discover(km.issuer, clientId, client.ClientSecretBasic(clientSecret))
    const tokens = await client.genericGrantRequest(config, 'password', { username: 'grace', password: 'another long password' })
    const refreshToken = tokens.refresh_token as string
    assert.equal((await client.tokenIntrospection(config, refreshToken)).active, true)
    await client.tokenRevocation(config, refreshToken, { token_type_hint: 'refresh_token' })
    assert.deepEqual(await client.tokenIntrospection(config, refreshToken), { active: false })
    assert.deepEqual(await client.tokenIntrospection(config, tokens.access_token), { active: false })
    assert.equal((await oauthErrorOf(client.refreshTokenGrant(config, refreshToken))).error, 'invalid_grant')
  })

  test('private_key_jwt client authentication built by openid-client (PrivateKeyJwt)', async () => {
    const { privateKey, publicKey } = await generateKeyPair('ES256', { extractable: true })
    const kid = 'interop-client-key-1'
    const jwk = { ...await exportJWK(publicKey), kid, alg: 'ES256', use: 'sig' }
    const { clientId } = await km.register({ scope: 'read', authMethod: 'private_key_jwt', jwks: { keys: [jwk] } })
    const config = await discover(km.issuer, clientId, client.PrivateKeyJwt({ key: privateKey, kid }))
    const tokens = await client.clientCredentialsGrant(config)
    assert.equal(tokens.scope, 'read')
    // A fresh assertion (new jti) for every call, so a second grant and an introspection pass too.
    const again = await client.clientCredentialsGrant(config)
    assert.notEqual(again.access_token, tokens.access_token)
    assert.equal((await client.tokenIntrospection(config, tokens.access_token)).active, true)
    // Another key claiming the same kid is refused.
    const impostor = await generateKeyPair('ES256')
    const forged = await discover(km.issuer, clientId, client.PrivateKeyJwt({ key: impostor.privateKey, kid }))
    const refused = await oauthErrorOf(client.clientCredentialsGrant(forged))
    assert.deepEqual([refused.error, refused.status], ['invalid_client', 401])
    assert.match(refused.description ?? '', /^client assertion rejected: /)
  })
})

describe('openid-client with stateless access tokens (tokens.persist: false)', () => {
  let km: InteropGateway
  before(async () => {
    km = await startInteropGateway(['  tokens: { persist: false }'])
  })
  after(() => km.stop())

  test('an access token cannot be revoked (unsupported_token_type) and stays active; its refresh token can', async () => {
    const { clientId, clientSecret } = await km.register({ scope: 'read', grantTypes: ['password', 'refresh_token'] })
    await km.createUser('linus', 'a password long enough')
    const config = await discover(km.issuer, clientId, client.ClientSecretBasic(clientSecret))
    const tokens = await client.genericGrantRequest(config, 'password', { username: 'linus', password: 'a password long enough' })
    assert.deepEqual(await oauthErrorOf(client.tokenRevocation(config, tokens.access_token)), {
      error: 'unsupported_token_type',
      status: 400,
      description: 'access tokens are not stored (tokens.persist is off) and stay valid until they expire; revoke the refresh token to end the grant',
    })
    assert.equal((await client.tokenIntrospection(config, tokens.access_token)).active, true)
    await client.tokenRevocation(config, tokens.refresh_token as string)
    assert.deepEqual(await client.tokenIntrospection(config, tokens.refresh_token as string), { active: false })
    assert.equal((await oauthErrorOf(client.refreshTokenGrant(config, tokens.refresh_token as string))).error, 'invalid_grant')
    // Nothing records the access token, so it runs until exp.
    assert.equal((await client.tokenIntrospection(config, tokens.access_token)).active, true)
  })

  test('client credentials, refresh and introspection work the same without persistence', async () => {
    const { clientId, clientSecret } = await km.register({ scope: 'read write', grantTypes: ['client_credentials', 'password', 'refresh_token'] })
    await km.createUser('barbara', 'yet another password')
    const config = await discover(km.issuer, clientId, client.ClientSecretBasic(clientSecret))
    const cc = await client.clientCredentialsGrant(config, { scope: 'read' })
    const introspected = await client.tokenIntrospection(config, cc.access_token)
    assert.deepEqual([introspected.active, introspected.sub, introspected.scope], [true, clientId, 'read'])
    const login = await client.genericGrantRequest(config, 'password', { username: 'barbara', password: 'yet another password', scope: 'read write' })
    const refreshed = await client.refreshTokenGrant(config, login.refresh_token as string, { scope: 'write' })
    assert.equal(refreshed.scope, 'write', 'a refresh may narrow the scope')
    assert.equal((await oauthErrorOf(client.refreshTokenGrant(config, refreshed.refresh_token as string, { scope: 'read admin' }))).error, 'invalid_scope')
  })
})
