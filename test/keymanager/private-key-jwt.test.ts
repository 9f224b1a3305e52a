// private_key_jwt client authentication (RFC 7523 §2.2, OAUTH-12): the client signs an assertion
// with a key it registered; iss = sub = client id, aud names this server, short-lived, used once.
import assert from 'node:assert/strict'
import { after, before, describe, test } from 'node:test'
import { forge, hmacWith } from '../../src/keymanager/tokens/jwt-test-kit.fixture.ts'
import { CLIENT_ASSERTION_TYPE } from '../../src/keymanager/clients/authenticate-client.ts'
import { assertionClaims, assertionKey, type AssertionKey } from './assertion-kit.ts'
import { startAuthServer, type AuthServer } from './auth-server-kit.ts'

describe('private_key_jwt client authentication', () => {
  let server: AuthServer
  let key: AssertionKey
  let clientId: string
  const withAssertion = (assertion: string, extra: Record<string, string> = {}) => server.post('token', {
    grant_type: 'client_credentials', client_assertion_type: CLIENT_ASSERTION_TYPE, client_assertion: assertion, ...extra,
  })
  const claims = (overrides: Record<string, unknown> = {}) => assertionClaims(clientId, clientId, server.tokenUrl, overrides)

  before(async () => {
    server = await startAuthServer({ settings: ['  assertions: { maxLifetimeSeconds: 60 }'] })
    key = assertionKey('ES256')
    const registered = await server.register({ scope: 'read', authMethod: 'private_key_jwt', jwks: { keys: [key.jwk] } })
    clientId = registered.clientId
    assert.equal(registered.clientSecret, undefined, 'a private_key_jwt client gets no secret')
  })
  after(() => server.close())

  test('a signed assertion authenticates the client', async () => {
    const answer = await withAssertion(key.sign(claims()))
    assert.equal(answer.status, 200, answer.text)
    assert.equal(answer.json.scope, 'read')
  })

  test('the issuer identifier and the called endpoint are accepted as aud', async () => {
    assert.equal((await withAssertion(key.sign(claims({ aud: server.issuer })))).status, 200)
    const introspection = await server.post('introspect', {
      token: 'x', client_assertion_type: CLIENT_ASSERTION_TYPE, client_assertion: key.sign(claims({ aud: `${server.origin}/oauth2/introspect` })),
    })
    assert.equal(introspection.status, 200, introspection.text)
  })

  const refused = async (assertion: string, reason: RegExp): Promise<void> => {
    const answer = await withAssertion(assertion)
    assert.equal(answer.status, 401, answer.text)
    assert.equal(answer.json.error, 'invalid_client')
    assert.match(answer.json.error_description as string, reason)
  }

  test('OAUTH-12: alg HS256 keyed with the client\'s public key is invalid_client', async () => {
    const header = { alg: 'HS256', kid: key.kid }
    await refused(forge(header, claims(), hmacWith(key.publicPem)), /alg_not_allowed/)
    await refused(forge(header, claims(), hmacWith(JSON.stringify(key.jwk))), /alg_not_allowed/)
  })

  test('OAUTH-12: sub different from iss is invalid_client', async () => {
    await refused(key.sign(claims({ sub: 'someone-else' })), /wrong_subject/)
  })

  test('OAUTH-12: aud of another authorization server is invalid_client', async () => {
    await refused(key.sign(claims({ aud: 'https://other-as.example/token' })), /wrong_audience/)
  })

  test('OAUTH-12: exp an hour ahead when the maximum is 60 s is invalid_client', async () => {
    await refused(key.sign(claims({ exp: Math.floor(Date.now() / 1000) + 3600 })), /exp_too_far/)
  })

  test('OAUTH-12: an assertion is accepted once (jti)', async () => {
    const assertion = key.sign(claims())
    assert.equal((await withAssertion(assertion)).status, 200)
    await refused(assertion, /replayed/)
  })

  test('OAUTH-12: a key the client did not register, an expired assertion, a missing jti: invalid_client', async () => {
    await refused(assertionKey('ES256').sign(claims()), /unknown_kid/)
    await refused(key.sign(claims({ exp: Math.floor(Date.now() / 1000) - 120 })), /expired/)
    const { jti: _jti, ...withoutJti } = claims()
    await refused(key.sign(withoutJti), /missing_claim:jti/)
  })

  test('an unknown client in the assertion gets the generic invalid_client', async () => {
    const answer = await withAssertion(key.sign(assertionClaims('nobody', 'nobody', server.tokenUrl)))
    assert.deepEqual([answer.status, answer.json.error, answer.json.error_description], [401, 'invalid_client', 'client authentication failed'])
  })

  test('an assertion together with Basic credentials is invalid_request (one method per request)', async () => {
    const answer = await server.post('token', { grant_type: 'client_credentials', client_assertion_type: CLIENT_ASSERTION_TYPE, client_assertion: key.sign(claims()) }, { clientId, clientSecret: 'x' })
    assert.deepEqual([answer.status, answer.json.error], [400, 'invalid_request'])
  })

  test('a wrong client_assertion_type is invalid_request', async () => {
    const answer = await server.post('token', { grant_type: 'client_credentials', client_assertion_type: 'urn:example:saml', client_assertion: key.sign(claims()) })
    assert.deepEqual([answer.status, answer.json.error], [400, 'invalid_request'])
  })
})
