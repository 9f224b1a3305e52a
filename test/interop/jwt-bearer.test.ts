// The jwt-bearer grant (RFC 7523 §2.1) with a separate issuer: its own key pair, its JWKS served
// by a small node:http server, assertions signed with jose's SignJWT and exchanged through
// openid-client's genericGrantRequest. The access token that comes back verifies with jose.
import assert from 'node:assert/strict'
import { randomUUID } from 'node:crypto'
import http from 'node:http'
import type { AddressInfo } from 'node:net'
import { after, before, describe, test } from 'node:test'
import { createRemoteJWKSet, exportJWK, generateKeyPair, jwtVerify, SignJWT, type CryptoKey, type JWK } from 'jose'
import * as client from 'openid-client'
import { discover, oauthErrorOf, startInteropGateway, type InteropGateway } from './interop-gateway.ts'

const JWT_BEARER = 'urn:ietf:params:oauth:grant-type:jwt-bearer'
const PARTNER = 'https://idp.partner.example'

/** The separate issuer: an RS256 and an ES256 key, published at `<url>/jwks`. */
interface PartnerIdp {
  jwksUrl: string
  keys: Record<'RS256' | 'ES256', { privateKey: CryptoKey; kid: string }>
  /** How often its JWKS was fetched. */
  fetches: number
  close(): Promise<void>
}

async function startPartnerIdp(): Promise<PartnerIdp> {
  const keys = {} as PartnerIdp['keys']
  const published: JWK[] = []
  for (const alg of ['RS256', 'ES256'] as const) {
    const pair = await generateKeyPair(alg, { extractable: true })
    const kid = `partner-${alg.toLowerCase()}`
    keys[alg] = { privateKey: pair.privateKey, kid }
    published.push({ ...await exportJWK(pair.publicKey), kid, alg, use: 'sig' })
  }
  const idp: PartnerIdp = { jwksUrl: '', keys, fetches: 0, close: async () => {} }
  const server = http.createServer((req, res) => {
    if (req.url !== '/jwks') return void res.writeHead(404).end()
    idp.fetches++
    res.writeHead(200, { 'content-type': 'application/jwk-set+json' }).end(JSON.stringify({ keys: published }))
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  idp.jwksUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}/jwks`
  idp.close = () => new Promise((resolve) => server.close(() => resolve()))
  return idp
}

describe('jwt-bearer grant with assertions from a separate issuer', () => {
  let idp: PartnerIdp
  let km: InteropGateway
  let config: client.Configuration
  before(async () => {
    idp = await startPartnerIdp()
    km = await startInteropGateway(['  trustedIssuers:', `    - { issuer: "${PARTNER}", jwksUri: "${idp.jwksUrl}" }`])
    const { clientId, clientSecret } = await km.register({ scope: 'read write', grantTypes: [JWT_BEARER] })
    config = await discover(km.issuer, clientId, client.ClientSecretBasic(clientSecret))
  })
  after(async () => {
    await km.stop()
    await idp.close()
  })

  const assertion = (alg: 'RS256' | 'ES256', claims: { aud?: string; sub?: string; key?: CryptoKey } = {}): Promise<string> => {
    const { privateKey, kid } = idp.keys[alg]
    return new SignJWT({})
      .setProtectedHeader({ alg, kid, typ: 'JWT' })
      .setIssuer(PARTNER)
      .setSubject(claims.sub ?? 'alice@partner')
      .setAudience(claims.aud ?? km.tokenEndpoint)
      .setIssuedAt()
      .setExpirationTime('60s')
      .setJti(randomUUID())
      .sign(claims.key ?? privateKey)
  }

  for (const alg of ['RS256', 'ES256'] as const) {
    test(`an ${alg} assertion is exchanged for an access token whose subject is the assertion's`, async () => {
      const tokens = await client.genericGrantRequest(config, JWT_BEARER, { assertion: await assertion(alg, { sub: `alice-${alg}@partner` }), scope: 'read' })
      assert.equal(tokens.token_type, 'bearer')
      assert.equal(tokens.refresh_token, undefined)
      const { payload } = await jwtVerify(tokens.access_token, createRemoteJWKSet(km.jwksUri), { issuer: km.issuer.href, audience: km.issuer.href, typ: 'at+jwt' })
      assert.equal(payload.sub, `alice-${alg}@partner`)
      assert.equal(payload.client_id, config.clientMetadata().client_id)
      assert.equal(payload.scope, 'read')
    })
  }

  test('the issuer identifier is an accepted audience too; the keys came from the JWKS URL', async () => {
    const tokens = await client.genericGrantRequest(config, JWT_BEARER, { assertion: await assertion('ES256', { aud: km.issuer.href }) })
    assert.equal(tokens.scope, 'read write')
    assert.ok(idp.fetches >= 1)
  })

  test('a replayed assertion, another audience and a key the issuer never published are invalid_grant (OAUTH-10)', async () => {
    const once = await assertion('ES256')
    await client.genericGrantRequest(config, JWT_BEARER, { assertion: once })
    const replayed = await oauthErrorOf(client.genericGrantRequest(config, JWT_BEARER, { assertion: once }))
    assert.deepEqual([replayed.error, replayed.status], ['invalid_grant', 400])
    assert.match(replayed.description ?? '', /^assertion rejected: replayed: /)
    const elsewhere = await oauthErrorOf(client.genericGrantRequest(config, JWT_BEARER, { assertion: await assertion('ES256', { aud: 'https://other-as.example/token' }) }))
    assert.equal(elsewhere.error, 'invalid_grant')
    assert.match(elsewhere.description ?? '', /^assertion rejected: wrong_audience: /)
    const stranger = await generateKeyPair('ES256')
    const forged = await oauthErrorOf(client.genericGrantRequest(config, JWT_BEARER, { assertion: await assertion('ES256', { key: stranger.privateKey }) }))
    assert.deepEqual([forged.error, forged.description], ['invalid_grant', 'assertion rejected: bad_signature: signature does not verify'])
  })
})
