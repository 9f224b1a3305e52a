// The jwt-bearer grant (RFC 7523 §2.1, OAUTH-10): assertions of a separate issuer, whose keys
// come from a JWKS served by a real HTTP server, or from a configured PEM file.
import assert from 'node:assert/strict'
import http from 'node:http'
import type { AddressInfo } from 'node:net'
import { after, before, describe, test } from 'node:test'
import { JWT_BEARER_GRANT_TYPE } from '../../src/keymanager/grants/index.ts'
import { assertionClaims, assertionKey, type AssertionKey } from './assertion-kit.ts'
import { claimsOf, startAuthServer, type AuthServer, type Credentials } from './auth-server-kit.ts'

const PARTNER = 'https://login.partner.example'
const BRANCH = 'https://branch.example'

describe('jwt-bearer grant', () => {
  let server: AuthServer
  let client: Credentials
  let jwksServer: http.Server
  let partnerKeys: AssertionKey[]
  let branchKey: AssertionKey
  let jwksFetches = 0
  const exchange = (assertion: string, extra: Record<string, string> = {}) => server.post('token', { grant_type: JWT_BEARER_GRANT_TYPE, assertion, ...extra }, client)
  const partnerClaims = (overrides: Record<string, unknown> = {}) => assertionClaims(PARTNER, 'partner-user-7', server.tokenUrl, overrides)

  before(async () => {
    partnerKeys = [assertionKey('RS256')]
    branchKey = assertionKey('EdDSA')
    jwksServer = http.createServer((_req, res) => {
      jwksFetches++
      res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ keys: partnerKeys.map((key) => key.jwk) }))
    })
    await new Promise<void>((resolve) => jwksServer.listen(0, '127.0.0.1', resolve))
    const jwksUri = `http://127.0.0.1:${(jwksServer.address() as AddressInfo).port}/jwks`
    server = await startAuthServer({
      files: { 'branch.pem': branchKey.publicPem },
      settings: [
        '  trustedIssuers:',
        `    - { issuer: "${PARTNER}", jwksUri: "${jwksUri}" }`,
        `    - { issuer: "${BRANCH}", certificates: { ${branchKey.kid}: branch.pem }, audience: [https://as.internal.example] }`,
      ],
    })
    client = await server.register({ scope: 'orders:read orders:write', defaultScope: 'orders:read', grantTypes: [JWT_BEARER_GRANT_TYPE] })
  })
  after(async () => {
    await server.close()
    jwksServer.close()
  })

  test('an assertion from a JWKS issuer is exchanged for a token whose subject is the assertion\'s', async () => {
    const answer = await exchange(partnerKeys[0].sign(partnerClaims()), { scope: 'orders:write' })
    assert.equal(answer.status, 200, answer.text)
    const claims = claimsOf(answer.json.access_token as string)
    assert.deepEqual([claims.sub, claims.client_id, claims.scope, claims.iss], ['partner-user-7', client.clientId, 'orders:write', server.issuer])
    assert.equal('refresh_token' in answer.json, false)
  })

  test('an assertion from an issuer configured with a PEM file, aud one of its extra audiences', async () => {
    const answer = await exchange(branchKey.sign(assertionClaims(BRANCH, 'clerk-3', 'https://as.internal.example')))
    assert.equal(answer.status, 200, answer.text)
    assert.equal(claimsOf(answer.json.access_token as string).sub, 'clerk-3')
  })

  // Runs before any test that sends an unknown kid, which would start the refetch cooldown.
  test('a new key in the issuer\'s JWKS is fetched on first use; made-up kids cost at most one fetch per cooldown', async () => {
    partnerKeys.push(assertionKey('ES256'))
    const before = jwksFetches
    const answer = await exchange(partnerKeys[1].sign(partnerClaims()))
    assert.equal(answer.status, 200, answer.text)
    assert.equal(jwksFetches, before + 1)
    for (let i = 0; i < 3; i++) assert.equal((await exchange(assertionKey('ES256').sign(partnerClaims()))).json.error, 'invalid_grant')
    assert.equal(jwksFetches, before + 1, 'within the cooldown an unknown kid triggers no fetch')
  })

  const refused = async (assertion: string, check: RegExp): Promise<void> => {
    const answer = await exchange(assertion)
    assert.equal(answer.status, 400, answer.text)
    assert.equal(answer.json.error, 'invalid_grant')
    assert.match(answer.json.error_description as string, check)
  }

  test('OAUTH-10: aud that is not this server\'s issuer or token endpoint', async () => {
    await refused(partnerKeys[0].sign(partnerClaims({ aud: 'https://other-as.example/token' })), /wrong_audience/)
  })

  test('OAUTH-10: missing exp, and exp a year ahead', async () => {
    const { exp: _exp, ...noExp } = partnerClaims()
    await refused(partnerKeys[0].sign(noExp), /missing_claim:exp/)
    await refused(partnerKeys[0].sign(partnerClaims({ exp: Math.floor(Date.now() / 1000) + 365 * 86_400 })), /exp_too_far/)
  })

  test('OAUTH-10: iss that is not a trusted issuer', async () => {
    await refused(partnerKeys[0].sign(assertionClaims('https://evil.example', 'partner-user-7', server.tokenUrl)), /untrusted_issuer/)
  })

  test('OAUTH-10: signed by a key not registered for iss (the branch key claiming to be the partner)', async () => {
    await refused(branchKey.sign(partnerClaims()), /unknown_kid/)
    await refused(partnerKeys[0].sign(assertionClaims(BRANCH, 'clerk-3', server.tokenUrl)), /unknown_kid/)
  })

  test('OAUTH-10: nbf in the future', async () => {
    await refused(partnerKeys[0].sign(partnerClaims({ nbf: Math.floor(Date.now() / 1000) + 600 })), /not_yet_valid/)
  })

  test('OAUTH-10: the same assertion twice (jti replay)', async () => {
    const assertion = partnerKeys[0].sign(partnerClaims())
    assert.equal((await exchange(assertion)).status, 200)
    await refused(assertion, /replayed/)
  })

  test('a client not registered for the grant is unauthorized_client; the assertion parameter is required', async () => {
    const plain = await server.register({ scope: 'orders:read' })
    const answer = await server.post('token', { grant_type: JWT_BEARER_GRANT_TYPE, assertion: partnerKeys[0].sign(partnerClaims()) }, plain)
    assert.deepEqual([answer.status, answer.json.error], [400, 'unauthorized_client'])
    const missing = await server.post('token', { grant_type: JWT_BEARER_GRANT_TYPE }, client)
    assert.deepEqual([missing.status, missing.json.error], [400, 'invalid_request'])
  })
})
