import assert from 'node:assert/strict'
import { generateKeyPairSync, sign } from 'node:crypto'
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { after, describe, it } from 'node:test'
import { ConsumerIndex } from '../../consumers/directory.ts'
import { GatehouseError } from '../../core/errors/gatehouse-error.ts'
import { SecretHasher } from '../../keymanager/secrets/secret-hasher.ts'
import type { RequestContext } from '../../kit/context.ts'
import type { PolicyHandlers } from '../../kit/policy.ts'
import { makeTestContext, type TestContextInit } from '../test-context.ts'
import { loadSettings, settingsProblems } from '../test-settings.ts'
import { accessClaims, accessToken, AUDIENCE, ISSUER, jwksOf, nowSeconds, startJwksServer, testKey } from './jwt-policy-test-kit.fixture.ts'
import { jwtPolicy } from './policy.ts'

const k1 = testKey('k1')
const k2 = testKey('k2')
const ec = testKey('ec', 'ES256')

// Keys as files, the way `certificates` names them: relative to the config directory.
const configDir = mkdtempSync(join(tmpdir(), 'gatehouse-jwt-policy-'))
after(() => rmSync(configDir, { recursive: true, force: true }))
writeFileSync(join(configDir, 'k1.pem'), k1.publicKey.export({ type: 'spki', format: 'pem' }))
writeFileSync(join(configDir, 'k2.pem'), k2.publicKey.export({ type: 'pkcs1', format: 'pem' }))
writeFileSync(join(configDir, 'ec.pem'), ec.publicKey.export({ type: 'spki', format: 'pem' }))
writeFileSync(join(configDir, 'private.pem'), k1.privateKey.export({ type: 'pkcs8', format: 'pem' }))
writeFileSync(join(configDir, 'not-pem.txt'), 'hello')
writeFileSync(join(configDir, 'rsa1024.pem'), generateKeyPairSync('rsa', { modulusLength: 1024 }).publicKey.export({ type: 'spki', format: 'pem' }))

const env = { configDir, routeName: 'orders' }

function issuer(overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return { issuer: ISSUER, certificates: { [k1.kid]: 'k1.pem', [k2.kid]: 'k2.pem' }, algorithms: ['RS256'], audience: AUDIENCE, typ: 'at+jwt', ...overrides }
}

function handlers(raw: Record<string, unknown> = {}): Required<Pick<PolicyHandlers, 'authenticate'>> & PolicyHandlers {
  const created = jwtPolicy.create(loadSettings(jwtPolicy, { issuers: [issuer()], ...raw }), env)
  assert.ok(created.authenticate)
  return created as Required<Pick<PolicyHandlers, 'authenticate'>> & PolicyHandlers
}

function request(token: string | undefined, init: TestContextInit = {}): RequestContext {
  const headers = { ...init.headers }
  if (token !== undefined) headers.authorization = `Bearer ${token}`
  return makeTestContext({ path: '/orders', ...init, headers })
}

function refusal(run: () => unknown, code: string, challenge?: string): void {
  assert.throws(run, (error: unknown) => {
    assert.ok(error instanceof GatehouseError, String(error))
    assert.equal(error.code, code, error.detail)
    if (challenge !== undefined) assert.equal(error.headers?.['www-authenticate'], challenge)
    return true
  })
}

const invalid = (description: string) => `Bearer realm="gatehouse", error="invalid_token", error_description="${description}"`

describe('jwt settings', () => {
  it('fills in defaults around the issuers, and needs issuers or introspection', () => {
    const settings = loadSettings(jwtPolicy, { issuers: [{ issuer: ISSUER, jwksUri: 'https://as.example/jwks', algorithms: ['RS256'], audience: AUDIENCE }] })
    assert.deepEqual(settings, {
      issuers: [{ issuer: ISSUER, keyManager: false, jwksUri: 'https://as.example/jwks', algorithms: ['RS256'], audience: AUDIENCE, allowAnyAudience: false, clockSkewSeconds: 30, requiredClaims: ['exp'] }],
      scopeMatch: 'all',
      tokenSources: { header: 'Authorization', scheme: 'Bearer', allowQueryToken: false },
      forwardAuthorization: true,
      identityHeaders: {},
      cache: { maxEntries: 10_000 },
      jwks: { refreshSeconds: 300, refetchCooldownSeconds: 30, fetchTimeoutMs: 5000 },
      maxTokenBytes: 8192,
      realm: 'gatehouse',
    })
    assert.deepEqual(settingsProblems(jwtPolicy, {}), ['issuers: list at least one issuer, or configure introspection'])
  })

  it('CFG-05: an empty algorithm list, none (any case) and HMAC algorithms are refused at load', () => {
    assert.deepEqual(settingsProblems(jwtPolicy, { issuers: [issuer({ algorithms: [] })] }), ['issuers[0].algorithms: list at least one algorithm, such as RS256'])
    assert.deepEqual(settingsProblems(jwtPolicy, { issuers: [issuer({ algorithms: ['RS256', 'none', 'NONE', 'HS256', 'hs512', 'RS1'] })] }), [
      "issuers[0].algorithms[1]: 'none' would accept unsigned tokens; it is never allowed",
      "issuers[0].algorithms[2]: 'none' would accept unsigned tokens; it is never allowed",
      "issuers[0].algorithms[3]: 'HS256' is an HMAC algorithm; only asymmetric signatures are verified (RFC 8725 §2.1)",
      "issuers[0].algorithms[4]: 'hs512' is an HMAC algorithm; only asymmetric signatures are verified (RFC 8725 §2.1)",
      "issuers[0].algorithms[5]: 'RS1' is not supported (use RS256, RS384, RS512, PS256, PS384, PS512, ES256, ES384, ES512, EdDSA)",
    ])
    const unchecked = { ...loadSettings(jwtPolicy, { issuers: [issuer()] }) }
    unchecked.issuers = [{ ...(unchecked.issuers ?? [])[0], algorithms: ['none'] }]
    assert.throws(() => jwtPolicy.create(unchecked, env), { code: 'GH_ERR_CONFIG_INVALID' })
  })

  it('requires an audience unless allowAnyAudience, and refuses both at once', () => {
    assert.deepEqual(settingsProblems(jwtPolicy, { issuers: [issuer({ audience: undefined })] }), ['issuers[0].audience: required (the aud this API expects), unless allowAnyAudience: true'])
    assert.deepEqual(settingsProblems(jwtPolicy, { issuers: [issuer({ allowAnyAudience: true })] }), ['issuers[0]: audience and allowAnyAudience: true contradict each other; keep one'])
    assert.deepEqual(settingsProblems(jwtPolicy, { issuers: [issuer({ audience: [] })] }), ['issuers[0].audience: list at least one audience'])
    assert.deepEqual(settingsProblems(jwtPolicy, { issuers: [issuer({ audience: undefined, allowAnyAudience: true })] }), [])
  })

  it('needs exactly one key source, an http(s) JWKS URL without credentials, and distinct issuers', () => {
    const both = issuer({ jwksUri: 'https://as.example/jwks' })
    const none = issuer({ certificates: undefined })
    assert.deepEqual(settingsProblems(jwtPolicy, { issuers: [both, none] }), [
      'issuers[0]: give either jwksUri or certificates (exactly one of them)',
      "issuers[1].issuer: 'https://as.example' is listed twice; give each issuer once",
      'issuers[1]: give either jwksUri or certificates (exactly one of them)',
    ])
    const uri = (jwksUri: string) => settingsProblems(jwtPolicy, { issuers: [issuer({ certificates: undefined, jwksUri })] })
    assert.deepEqual(uri('file:///etc/keys'), ['issuers[0].jwksUri: must use https or http'])
    assert.deepEqual(uri('https://user:pw@as.example/jwks'), ['issuers[0].jwksUri: must not contain a user name or password'])
    assert.deepEqual(uri('as.example/jwks'), ['issuers[0].jwksUri: is not a URL'])
    assert.deepEqual(settingsProblems(jwtPolicy, { issuers: [issuer({ certificates: {} })] }), ['issuers[0].certificates: map at least one kid to a certificate file'])
    assert.deepEqual(settingsProblems(jwtPolicy, { issuers: [] }), ['issuers: list at least one issuer'])
  })

  it('keyManager: true takes issuer and keys from the key manager; only the checks may be set beside it', () => {
    assert.deepEqual(settingsProblems(jwtPolicy, { issuers: [{ keyManager: true }] }), [])
    assert.deepEqual(settingsProblems(jwtPolicy, { issuers: [{ keyManager: true, audience: 'orders', algorithms: ['ES256'], typ: 'at+jwt', clockSkewSeconds: 5 }] }), [])
    assert.deepEqual(settingsProblems(jwtPolicy, { issuers: [{ keyManager: true, issuer: ISSUER, jwksUri: 'https://as.example/jwks' }, { keyManager: true, algorithms: ['HS256'] }] }), [
      'issuers[0].issuer: comes from the keyManager section with keyManager: true; remove it',
      'issuers[0].jwksUri: comes from the keyManager section with keyManager: true; remove it',
      'issuers[1].keyManager: issuers[0] names the key manager already; give it once',
      "issuers[1].algorithms[0]: 'HS256' is an HMAC algorithm; only asymmetric signatures are verified (RFC 8725 §2.1)",
    ])
    assert.deepEqual(settingsProblems(jwtPolicy, { issuers: [{ jwksUri: 'https://as.example/jwks', audience: AUDIENCE }] }), [
      'issuers[0].issuer: required (the iss of the tokens), unless keyManager: true',
      'issuers[0].algorithms: required (the alg values the issuer signs with, such as [RS256]), unless keyManager: true',
    ])
  })

  it('keyManager: true without a key manager in the process stops the load', () => {
    const settings = loadSettings(jwtPolicy, { issuers: [{ keyManager: true }] })
    assert.throws(() => jwtPolicy.create(settings, env), { code: 'GH_ERR_CONFIG_INVALID', message: 'jwt: issuers[0].keyManager: this configuration has no keyManager section to take the issuer and keys from' })
  })

  it('introspection: an http(s) endpoint without credentials in the URL, and client credentials', () => {
    const introspection = (overrides: Record<string, unknown> = {}) => ({ introspection: { endpoint: 'https://as.example/introspect', clientId: 'gw', clientSecret: 's', ...overrides } })
    assert.deepEqual(settingsProblems(jwtPolicy, introspection()), [])
    assert.deepEqual(loadSettings(jwtPolicy, introspection()).introspection, {
      endpoint: 'https://as.example/introspect', clientId: 'gw', clientSecret: 's', timeoutMs: 2000, maxConcurrent: 64,
      cache: { maxEntries: 10_000, ttlSeconds: 60, negativeTtlSeconds: 5 },
    })
    assert.deepEqual(settingsProblems(jwtPolicy, introspection({ endpoint: 'ftp://as.example/introspect' })), ['introspection.endpoint: must use https or http'])
    assert.deepEqual(settingsProblems(jwtPolicy, introspection({ endpoint: 'https://u:p@as.example/introspect' })), ['introspection.endpoint: must not contain a user name or password'])
    assert.deepEqual(settingsProblems(jwtPolicy, introspection({ audience: [] })), ['introspection.audience: list at least one audience'])
    assert.deepEqual(settingsProblems(jwtPolicy, introspection({ clientId: 'gw\r\nx' })), ['introspection.clientId: must not contain control characters'])
    assert.ok(settingsProblems(jwtPolicy, introspection({ clientSecret: undefined })).length > 0)
    assert.ok(settingsProblems(jwtPolicy, introspection({ cache: { ttlSeconds: 7200 } })).length > 0, 'a TTL over an hour is refused')
  })

  it('refuses identity headers the gateway owns, the token header, or one name twice', () => {
    assert.deepEqual(settingsProblems(jwtPolicy, { issuers: [issuer()], identityHeaders: { subject: 'X-Forwarded-For', clientId: 'authorization', scopes: 'X-Id' } }), [
      "identityHeaders.subject: 'X-Forwarded-For' is set by the gateway itself; choose another name",
      "identityHeaders.clientId: 'authorization' is the header the token is read from",
    ])
    assert.deepEqual(settingsProblems(jwtPolicy, { issuers: [issuer()], identityHeaders: { subject: 'X-Id', clientId: 'x-id' } }), ["identityHeaders.clientId: 'x-id' is already used for subject"])
  })

  it('JWT-15: scopes are scope-tokens, per method in any case, each method once', () => {
    assert.deepEqual(settingsProblems(jwtPolicy, { issuers: [issuer()], scopes: { get: ['a'], GET: ['b'] } }), ['scopes.GET: method GET is listed twice'])
    assert.ok(settingsProblems(jwtPolicy, { issuers: [issuer()], scopes: ['a b'] }).length > 0)
    assert.ok(settingsProblems(jwtPolicy, { issuers: [issuer()], scopes: ['say"hi'] }).length > 0)
    assert.deepEqual(settingsProblems(jwtPolicy, { issuers: [issuer()], scopes: { GET: ['api_a.r'], post: ['api_a.w'], '*': [] } }), [])
  })

  it('reads certificate and public-key files, refusing unreadable, private, non-PEM and weak keys at create', () => {
    const create = (file: string) => () => jwtPolicy.create(loadSettings(jwtPolicy, { issuers: [issuer({ certificates: { a: file } })] }), env)
    create('k1.pem')()
    refusal(create('missing.pem'), 'GH_ERR_CONFIG_INVALID')
    assert.throws(create('missing.pem'), { message: "jwt: issuers[0].certificates.a: 'missing.pem' cannot be read (ENOENT)" })
    assert.throws(create('private.pem'), { message: "jwt: issuers[0].certificates.a: 'private.pem' holds a private key; give the certificate or the public key" })
    assert.throws(create('not-pem.txt'), /is not PEM/)
    assert.throws(create('rsa1024.pem'), /cannot verify tokens/)
  })
})

describe('jwt authenticate', () => {
  const { authenticate } = handlers({ identityHeaders: { subject: 'X-Subject', clientId: 'X-Client-Id', scopes: 'X-Scopes' } })

  it('sets ctx.identity and the identity headers, replacing what the client sent under those names', () => {
    const ctx = request(accessToken(k1), { headers: { 'x-subject': 'admin', 'X-Scopes': 'admin' } })
    assert.equal(authenticate(ctx), undefined, 'synchronous when the keys are at hand')
    assert.deepEqual(ctx.identity, { subject: 'user-1', clientId: 'app-1', scopes: ['orders.read', 'orders.write'] })
    const flat = ctx.upstream.headers.flat
    assert.deepEqual(flat.filter((_, i) => i % 2 === 0 && /^x-(subject|client-id|scopes)$/i.test(flat[i])).length, 3)
    assert.equal(ctx.upstream.headers.get('x-subject'), 'user-1')
    assert.equal(ctx.upstream.headers.get('x-client-id'), 'app-1')
    assert.equal(ctx.upstream.headers.get('x-scopes'), 'orders.read orders.write')
    assert.match(ctx.upstream.headers.get('authorization') ?? '', /^Bearer /)
  })

  it('uses azp when client_id is absent, and scp (list or string) when scope is absent', () => {
    const ctx = request(accessToken(k2, { client_id: undefined, azp: 'spa', scope: undefined, scp: ['a', 'b'] }))
    authenticate(ctx)
    assert.deepEqual(ctx.identity, { subject: 'user-1', clientId: 'spa', scopes: ['a', 'b'] })
    const text = request(accessToken(k1, { scope: undefined, scp: 'c  d' }))
    authenticate(text)
    assert.deepEqual(text.identity?.scopes, ['c', 'd'])
  })

  it('refuses claims of the wrong type and values that cannot be header values', () => {
    refusal(() => authenticate(request(accessToken(k1, { scope: ['a'] }))), 'GH_ERR_AUTH_TOKEN_INVALID', invalid('claim scope is not valid'))
    refusal(() => authenticate(request(accessToken(k1, { client_id: 7 }))), 'GH_ERR_AUTH_TOKEN_INVALID', invalid('claim client_id is not valid'))
    refusal(() => authenticate(request(accessToken(k1, { sub: 'a\nX-Admin: 1' }))), 'GH_ERR_AUTH_TOKEN_INVALID', invalid('claim sub cannot be forwarded in a header'))
    refusal(() => authenticate(request(accessToken(k1, { client_id: 'café' }))), 'GH_ERR_AUTH_TOKEN_INVALID', invalid('claim client_id cannot be forwarded in a header'))
  })

  it('JWT-01 / JWT-03: refuses none, a disallowed alg and a key of the wrong type', () => {
    const forged = (header: object, signer?: (input: Buffer) => Buffer) => {
      const input = `${Buffer.from(JSON.stringify(header)).toString('base64url')}.${Buffer.from(JSON.stringify(accessClaims())).toString('base64url')}`
      return `${input}.${signer === undefined ? '' : signer(Buffer.from(input)).toString('base64url')}`
    }
    refusal(() => authenticate(request(forged({ alg: 'none', typ: 'at+jwt', kid: k1.kid }))), 'GH_ERR_AUTH_TOKEN_INVALID', invalid('token algorithm is not allowed'))
    refusal(() => authenticate(request(forged({ alg: 'RS512', typ: 'at+jwt', kid: k1.kid }, (input) => sign('sha512', input, k1.privateKey)))), 'GH_ERR_AUTH_TOKEN_INVALID', invalid('token algorithm is not allowed'))
    refusal(() => authenticate(request(forged({ alg: 'RS256', typ: 'at+jwt' }, (input) => sign('sha256', input, k1.privateKey)))), 'GH_ERR_AUTH_TOKEN_INVALID', invalid('no key matches the token kid'))
  })

  it('JWT-07: the cache never returns a token past its exp', async () => {
    const { authenticate: strict } = handlers({ issuers: [issuer({ clockSkewSeconds: 0 })] })
    const token = accessToken(k1, { exp: nowSeconds() + 1 })
    strict(request(token))
    await new Promise((resolve) => setTimeout(resolve, 2100))
    refusal(() => strict(request(token)), 'GH_ERR_AUTH_TOKEN_INVALID', invalid('token expired (exp)'))
  })

  it('JWT-14: a verified, cached token with anything added or changed is checked afresh and refused', () => {
    const token = accessToken(k1)
    authenticate(request(token))
    const malformed = invalid('credentials are not in the form Bearer <token>')
    for (const changed of [`${token},x`, `${token} junk`, ` ${token}`, `${token}\u00e9`]) {
      refusal(() => authenticate(request(changed)), 'GH_ERR_AUTH_TOKEN_INVALID', malformed)
    }
    assert.equal(authenticate(request(token)), undefined, 'the token itself still passes')
  })

  it('missing token → 401 challenge without an error code', () => {
    refusal(() => authenticate(request(undefined)), 'GH_ERR_AUTH_TOKEN_MISSING', 'Bearer realm="gatehouse"')
  })

  it('forwardAuthorization: false removes the token header; an allowed query token leaves the upstream path', () => {
    const { authenticate: stripping } = handlers({ forwardAuthorization: false, tokenSources: { allowQueryToken: true } })
    const ctx = request(accessToken(k1))
    stripping(ctx)
    assert.equal(ctx.upstream.headers.get('authorization'), undefined)
    const query = makeTestContext({ path: '/orders', query: `page=2&access_token=${accessToken(k1)}` })
    stripping(query)
    assert.equal(query.upstream.path, '/orders?page=2')
    assert.equal(query.identity?.subject, 'user-1')
  })

  it('uses the configured realm in every challenge', () => {
    const { authenticate: realm } = handlers({ realm: 'orders api' })
    refusal(() => realm(request(undefined)), 'GH_ERR_AUTH_TOKEN_MISSING', 'Bearer realm="orders api"')
  })
})

describe('jwt authorize (JWT-15)', () => {
  function authorized(raw: Record<string, unknown>, method: string, scope: string | undefined): void {
    const { authenticate, authorize } = handlers(raw)
    assert.ok(authorize)
    const ctx = request(accessToken(k1, { scope }), { method })
    authenticate(ctx)
    authorize(ctx)
  }

  it('has no authorize handler when no scopes are required', () => {
    assert.equal(handlers().authorize, undefined)
    assert.equal(handlers({ scopes: [] }).authorize, undefined)
  })

  it('JWT-15: "read" on a route needing "write" → 403 insufficient_scope naming the required scope', () => {
    refusal(() => authorized({ scopes: ['write'] }, 'GET', 'read'), 'GH_ERR_AUTH_INSUFFICIENT_SCOPE', 'Bearer realm="gatehouse", error="insufficient_scope", scope="write"')
  })

  it('JWT-15: readwrite, read:all and READ do not hold read (exact, case-sensitive, space-delimited)', () => {
    for (const scope of ['readwrite', 'read:all', 'READ', 'xread', 'read,write', undefined]) {
      refusal(() => authorized({ scopes: ['read'] }, 'GET', scope), 'GH_ERR_AUTH_INSUFFICIENT_SCOPE')
    }
    authorized({ scopes: ['read'] }, 'GET', 'other read')
  })

  it('every listed scope is required', () => {
    refusal(() => authorized({ scopes: ['a', 'b'] }, 'GET', 'a'), 'GH_ERR_AUTH_INSUFFICIENT_SCOPE', 'Bearer realm="gatehouse", error="insufficient_scope", scope="a b"')
    authorized({ scopes: ['a', 'b'] }, 'GET', 'b a')
  })

  it('scopeMatch any: one listed scope is enough, none is refused naming the alternatives', () => {
    const anyOf = { scopes: ['api_a.r', 'api_a.w'], scopeMatch: 'any' }
    authorized(anyOf, 'GET', 'api_a.r')
    authorized(anyOf, 'GET', 'other api_a.w')
    refusal(() => authorized(anyOf, 'GET', 'api_a.x'), 'GH_ERR_AUTH_INSUFFICIENT_SCOPE', 'Bearer realm="gatehouse", error="insufficient_scope", scope="api_a.r api_a.w"')
    refusal(() => authorized(anyOf, 'GET', undefined), 'GH_ERR_AUTH_INSUFFICIENT_SCOPE')
  })

  it('per method: GET and POST differ, HEAD uses GET, * covers the rest, an unlisted method is refused', () => {
    const perMethod = { scopes: { get: ['api_a.r'], POST: ['api_a.w'] } }
    authorized(perMethod, 'GET', 'api_a.r')
    authorized(perMethod, 'HEAD', 'api_a.r')
    authorized(perMethod, 'POST', 'api_a.w')
    refusal(() => authorized(perMethod, 'POST', 'api_a.r'), 'GH_ERR_AUTH_INSUFFICIENT_SCOPE', 'Bearer realm="gatehouse", error="insufficient_scope", scope="api_a.w"')
    refusal(() => authorized(perMethod, 'DELETE', 'api_a.r api_a.w'), 'GH_ERR_AUTH_INSUFFICIENT_SCOPE', 'Bearer realm="gatehouse", error="insufficient_scope"')
    authorized({ scopes: { GET: ['api_a.r'], '*': ['api_a.admin'] } }, 'DELETE', 'api_a.admin')
    authorized({ scopes: { GET: [], POST: ['w'] } }, 'GET', undefined)
  })
})

describe('jwt with several issuers', () => {
  const other = 'https://other.example'
  const { authenticate } = handlers({
    issuers: [issuer(), { issuer: other, certificates: { ec: 'ec.pem' }, algorithms: ['ES256'], audience: 'billing' }],
  })
  const ecToken = (claims: Record<string, unknown>) => {
    const input = `${Buffer.from(JSON.stringify({ alg: 'ES256', kid: 'ec' })).toString('base64url')}.${Buffer.from(JSON.stringify(accessClaims({ iss: other, aud: 'billing', ...claims }))).toString('base64url')}`
    return `${input}.${sign('sha256', Buffer.from(input), { key: ec.privateKey, dsaEncoding: 'ieee-p1363' }).toString('base64url')}`
  }

  it('verifies each token with the rules and keys of the issuer it names', () => {
    const ctx = request(ecToken({ sub: 'billing-user' }))
    authenticate(ctx)
    assert.equal(ctx.identity?.subject, 'billing-user')
    const first = request(accessToken(k1))
    authenticate(first)
    assert.equal(first.identity?.subject, 'user-1')
    refusal(() => authenticate(request(ecToken({ aud: AUDIENCE }))), 'GH_ERR_AUTH_TOKEN_INVALID', invalid('token audience (aud) is not accepted'))
  })

  it('refuses an issuer nobody configured, and a payload that cannot be read', () => {
    refusal(() => authenticate(request(ecToken({ iss: 'https://evil.example' }))), 'GH_ERR_AUTH_TOKEN_INVALID', invalid('token issuer (iss) is not accepted'))
    refusal(() => authenticate(request('eyJhbGciOiJFUzI1NiJ9.bm90IGpzb24.c2ln')), 'GH_ERR_AUTH_TOKEN_INVALID', invalid('token is not a well-formed JWS'))
  })
})

describe('jwt with a JWKS URL', () => {
  it('waits for the first load once, then verifies synchronously (the hot path stays free of promises)', async () => {
    const jwks = await startJwksServer({ status: 200, body: jwksOf(k1), delayMs: 100 })
    try {
      const { authenticate } = handlers({ issuers: [issuer({ certificates: undefined, jwksUri: jwks.url })] })
      const first = request(accessToken(k1))
      const pending = authenticate(first)
      assert.ok(pending instanceof Promise)
      await pending
      assert.equal(first.identity?.subject, 'user-1')
      const next = request(accessToken(k1, { jti: 'next' }))
      assert.equal(authenticate(next), undefined)
      assert.equal(next.identity?.subject, 'user-1')
      assert.equal(jwks.requests, 1)
    } finally {
      await jwks.close()
    }
  })

  it('JWT-16: with no keys and no fetch allowed yet → 503 GH_ERR_AUTH_KEYS_UNAVAILABLE with Retry-After', async () => {
    const jwks = await startJwksServer({ status: 503, body: '' })
    try {
      const { authenticate } = handlers({ issuers: [issuer({ certificates: undefined, jwksUri: jwks.url })] })
      await assert.rejects(async () => authenticate(request(accessToken(k1))), (error: unknown) => {
        assert.ok(error instanceof GatehouseError)
        assert.equal(error.code, 'GH_ERR_AUTH_KEYS_UNAVAILABLE')
        assert.equal(error.status, 503)
        assert.match(error.headers?.['retry-after'] ?? '', /^\d+$/)
        return true
      })
      refusal(() => authenticate(request(accessToken(k1))), 'GH_ERR_AUTH_KEYS_UNAVAILABLE')
      assert.equal(jwks.requests, 1, 'retries wait for the cooldown')
    } finally {
      await jwks.close()
    }
  })
})

describe('jwt and the consumer directory', () => {
  const hasher = new SecretHasher('pepper-for-the-jwt-policy-tests-000001')
  const directory = new ConsumerIndex({
    hasher,
    fromConfig: [
      { id: 'orders-app', name: 'Orders', status: 'active', apiKeys: [], clientIds: ['app-1'] },
      { id: 'dormant', name: 'Dormant', status: 'suspended', apiKeys: [], clientIds: ['app-2'] },
    ],
    store: null,
    ownsStore: false,
    refreshMs: 60_000,
  })
  after(() => directory.stop())
  const created = jwtPolicy.create(loadSettings(jwtPolicy, { issuers: [issuer()], identityHeaders: { consumerId: 'X-Consumer-Id' } }), { ...env, consumers: directory })
  const authenticate = created.authenticate as (ctx: RequestContext) => unknown

  it('sets consumerId from the consumer that links the token\'s client_id, and sends it upstream', () => {
    const ctx = request(accessToken(k1), { headers: { 'x-consumer-id': 'admin' } })
    authenticate(ctx)
    assert.equal(ctx.identity?.consumerId, 'orders-app')
    assert.equal(ctx.upstream.headers.get('x-consumer-id'), 'orders-app')
    assert.equal(ctx.upstream.headers.flat.filter((name) => name.toLowerCase() === 'x-consumer-id').length, 1)
    // A cached verdict still asks the directory, which may have changed since.
    const again = request(accessToken(k1))
    authenticate(again)
    assert.equal(again.identity?.consumerId, 'orders-app')
  })

  it('a client nobody links has no consumer, and a client sent as X-Consumer-Id is removed (SMUG-13)', () => {
    const ctx = request(accessToken(k1, { client_id: 'unlinked' }), { headers: { 'x-consumer-id': 'orders-app' } })
    authenticate(ctx)
    assert.deepEqual(ctx.identity, { subject: 'user-1', clientId: 'unlinked', scopes: ['orders.read', 'orders.write'] })
    assert.equal(ctx.upstream.headers.get('x-consumer-id'), undefined)
  })

  it('a client acting for a suspended consumer is refused with 403', () => {
    refusal(() => authenticate(request(accessToken(k1, { client_id: 'app-2' }))), 'GH_ERR_AUTH_CONSUMER_SUSPENDED')
  })
})
