// A resource server using jose (v6) verifies the gateway's access tokens against the published
// JWKS alone: signature, RFC 9068 header and claims, for an RS256 and an ES256 key manager.
import assert from 'node:assert/strict'
import { after, before, describe, test } from 'node:test'
import { createRemoteJWKSet, decodeProtectedHeader, errors, jwtVerify, type JWTVerifyOptions } from 'jose'
import * as client from 'openid-client'
import { discover, startInteropGateway, type InteropGateway } from './interop-gateway.ts'

const RFC_9068_CLAIMS = ['iss', 'sub', 'aud', 'exp', 'iat', 'jti', 'client_id']

for (const algorithm of ['RS256', 'ES256'] as const) {
  describe(`jose verifies ${algorithm} access tokens through the JWKS`, () => {
    let km: InteropGateway
    let options: JWTVerifyOptions
    before(async () => {
      km = await startInteropGateway([`  signing: { algorithm: ${algorithm} }`, '  tokens: { accessTokenTtlSeconds: 600 }'])
      options = { issuer: km.issuer.href, audience: km.issuer.href, typ: 'at+jwt', algorithms: [algorithm], requiredClaims: RFC_9068_CLAIMS }
    })
    after(() => km.stop())

    test('client credentials token: header and RFC 9068 claims', async () => {
      const { clientId, clientSecret } = await km.register({ scope: 'read write' })
      const config = await discover(km.issuer, clientId, client.ClientSecretBasic(clientSecret))
      const { access_token: token } = await client.clientCredentialsGrant(config, { scope: 'read write' })
      const { payload, protectedHeader } = await jwtVerify(token, createRemoteJWKSet(km.jwksUri), options)
      assert.equal(protectedHeader.alg, algorithm)
      assert.equal(protectedHeader.typ, 'at+jwt')
      assert.equal(typeof protectedHeader.kid, 'string')
      assert.equal(payload.iss, km.issuer.href)
      assert.equal(payload.aud, km.issuer.href)
      assert.equal(payload.sub, clientId, 'client credentials: the client is the subject (RFC 9068 §2.2)')
      assert.equal(payload.client_id, clientId)
      assert.equal(payload.scope, 'read write')
      assert.equal((payload.exp as number) - (payload.iat as number), 600)
      assert.ok(Math.abs((payload.iat as number) - Date.now() / 1000) < 5)
      assert.match(payload.jti as string, /^[A-Za-z0-9_-]{16,}$/)
      // The published key is the one that signed, with its kid and intended use.
      const jwks = await (await fetch(km.jwksUri)).json() as { keys: Array<Record<string, unknown>> }
      const published = jwks.keys.find((key) => key.kid === protectedHeader.kid)
      assert.equal(published?.alg, algorithm)
      assert.equal(published?.use, 'sig')
      assert.equal(published?.d, undefined, 'no private part in the JWKS')
    })

    test('password-grant token names the user; jti is unique per token', async () => {
      const { clientId, clientSecret } = await km.register({ scope: 'read', grantTypes: ['password'] })
      await km.createUser('margaret', 'hamilton-apollo-11')
      const config = await discover(km.issuer, clientId, client.ClientSecretBasic(clientSecret))
      const jwks = createRemoteJWKSet(km.jwksUri)
      const first = await client.genericGrantRequest(config, 'password', { username: 'margaret', password: 'hamilton-apollo-11' })
      const second = await client.genericGrantRequest(config, 'password', { username: 'margaret', password: 'hamilton-apollo-11' })
      const a = await jwtVerify(first.access_token, jwks, options)
      const b = await jwtVerify(second.access_token, jwks, options)
      assert.equal(a.payload.client_id, clientId)
      assert.notEqual(a.payload.sub, clientId)
      assert.equal(a.payload.sub, b.payload.sub)
      assert.notEqual(a.payload.jti, b.payload.jti)
    })

    test('a changed claim or another audience is refused by jose', async () => {
      const { clientId, clientSecret } = await km.register({ scope: 'read write' })
      const config = await discover(km.issuer, clientId, client.ClientSecretBasic(clientSecret))
      const { access_token: token } = await client.clientCredentialsGrant(config, { scope: 'read' })
      const [header, payload, signature] = token.split('.')
      const claims = JSON.parse(Buffer.from(payload, 'base64url').toString('utf8')) as Record<string, unknown>
      const widened = Buffer.from(JSON.stringify({ ...claims, scope: 'read write' })).toString('base64url')
      const jwks = createRemoteJWKSet(km.jwksUri)
      await assert.rejects(jwtVerify(`${header}.${widened}.${signature}`, jwks, options), errors.JWSSignatureVerificationFailed)
      await assert.rejects(jwtVerify(token, jwks, { ...options, audience: 'https://another-api.example' }), errors.JWTClaimValidationFailed)
      assert.equal(decodeProtectedHeader(token).typ, 'at+jwt')
    })
  })
}
