// `gatehouse keys rotate` against a running gateway, seen by a jose resource server: the new key is
// published before it signs, tokens signed by the old key keep verifying through the JWKS, and new
// tokens carry the new kid. The gateway learns of a key the CLI added when its JWKS is read (at
// most every 10 s) or at its next key maintenance, so this test waits up to that long.
import assert from 'node:assert/strict'
import { after, before, describe, test } from 'node:test'
import { createLocalJWKSet, createRemoteJWKSet, decodeProtectedHeader, jwtVerify, type JSONWebKeySet, type JWTVerifyOptions } from 'jose'
import * as client from 'openid-client'
import { eventually, runCli } from '../helpers/cli.ts'
import { discover, startInteropGateway, type InteropGateway } from './interop-gateway.ts'

const PUBLISH_AHEAD_SECONDS = 2

describe('key rotation seen through the JWKS', () => {
  let km: InteropGateway
  before(async () => {
    km = await startInteropGateway([`  signing: { algorithm: ES256, publishAheadSeconds: ${PUBLISH_AHEAD_SECONDS} }`, '  tokens: { accessTokenTtlSeconds: 300 }'])
  })
  after(() => km.stop())

  test('old tokens still verify, the new key is published before it signs, new tokens carry its kid', async () => {
    const options: JWTVerifyOptions = { issuer: km.issuer.href, audience: km.issuer.href, typ: 'at+jwt', algorithms: ['ES256'] }
    const { clientId, clientSecret } = await km.register({ scope: 'read' })
    const config = await discover(km.issuer, clientId, client.ClientSecretBasic(clientSecret))
    const issue = async (): Promise<string> => (await client.clientCredentialsGrant(config)).access_token
    const oldToken = await issue()
    const oldKid = decodeProtectedHeader(oldToken).kid as string
    await jwtVerify(oldToken, createRemoteJWKSet(km.jwksUri), options)

    const rotated = await runCli(['keys', 'rotate', '--config', km.gateway.configFile])
    assert.equal(rotated.code, 0, rotated.stderr)
    const newKid = /signing key (\S+): published now, signs at /.exec(rotated.stdout)?.[1] as string
    assert.ok(newKid !== undefined && newKid !== oldKid, rotated.stdout)

    let published: JSONWebKeySet = { keys: [] }
    const readJwks = async (): Promise<boolean> => {
      published = await (await fetch(km.jwksUri)).json() as JSONWebKeySet
      return published.keys.some((key) => key.kid === newKid)
    }
    assert.ok(await eventually(readJwks, 15_000, 250), 'the new key appears in the JWKS')
    assert.ok(published.keys.some((key) => key.kid === oldKid), 'the old key stays published')

    let newToken = ''
    const signsWithNewKey = async (): Promise<boolean> => {
      newToken = await issue()
      return decodeProtectedHeader(newToken).kid === newKid
    }
    assert.ok(await eventually(signsWithNewKey, (PUBLISH_AHEAD_SECONDS + 5) * 1000, 200), 'new tokens carry the new kid')
    // The JWKS as it was when the key first appeared already verifies what it signs: a verifier
    // that cached it needs no new fetch.
    await jwtVerify(newToken, createLocalJWKSet(published), options)
    // The token signed by the retired key keeps verifying for jose and for the gateway itself.
    const fresh = createRemoteJWKSet(km.jwksUri)
    const { payload } = await jwtVerify(oldToken, fresh, options)
    assert.equal(payload.client_id, clientId)
    await jwtVerify(newToken, fresh, options)
    assert.equal((await client.tokenIntrospection(config, oldToken)).active, true)
    assert.equal((await client.tokenIntrospection(config, newToken)).active, true)
  })
})
