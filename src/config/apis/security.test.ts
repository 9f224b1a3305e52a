import assert from 'node:assert/strict'
import { describe, test } from 'node:test'
import type { OperationModel, SecurityRequirement, SecuritySchemeModel } from '../../openapi/model.ts'
import type { ApiConfig } from '../types.ts'
import { planSecurity, type SecurityPlan } from './security.ts'

const SCHEMES: Record<string, SecuritySchemeModel> = {
  oauth: { type: 'oauth2', scopes: { 'api.r': 'read', 'api.w': 'write' }, pointer: '#/components/securitySchemes/oauth' },
  oidc: { type: 'openIdConnect', openIdConnectUrl: 'https://issuer.test/.well-known/openid-configuration', pointer: '#/components/securitySchemes/oidc' },
  bearer: { type: 'http', scheme: 'bearer', pointer: '#/components/securitySchemes/bearer' },
  basic: { type: 'http', scheme: 'basic', pointer: '#/components/securitySchemes/basic' },
  headerKey: { type: 'apiKey', in: 'header', name: 'X-Key', pointer: '#/components/securitySchemes/headerKey' },
  queryKey: { type: 'apiKey', in: 'query', name: 'api_key', pointer: '#/components/securitySchemes/queryKey' },
  tokenQueryKey: { type: 'apiKey', in: 'query', name: 'token', pointer: '#/components/securitySchemes/tokenQueryKey' },
  cookieKey: { type: 'apiKey', in: 'cookie', name: 'session', pointer: '#/components/securitySchemes/cookieKey' },
}

function api(overrides: Partial<ApiConfig> = {}): ApiConfig {
  return {
    name: 'demo',
    spec: '/specs/demo.yaml',
    upstream: 'demo',
    stripBasePath: false,
    hosts: [],
    preserveHost: false,
    allowRemoteRefs: false,
    security: {},
    scopeMatch: 'all',
    validation: { requests: true, maxBodyBytes: 1048576, responses: 'off' },
    mock: false,
    operations: {},
    policies: {},
    ...overrides,
  }
}

function operation(security: SecurityRequirement[]): OperationModel {
  return { method: 'GET', pathTemplate: '/data', operationId: 'getData', deprecated: false, parameters: [], responses: [], security, pointer: '#/paths/~1data/get' }
}

function plan(security: SecurityRequirement[], options: { api?: Partial<ApiConfig>; hasKeyManager?: boolean } = {}): SecurityPlan {
  return planSecurity(operation(security), { api: api(options.api), apiIndex: 2, schemes: SCHEMES, hasKeyManager: options.hasKeyManager ?? true })
}

/** The settings of each planned policy, by policy name; fails when there are problems. */
function policies(result: SecurityPlan): Record<string, Record<string, unknown>> {
  assert.deepEqual(result.problems, [])
  return Object.fromEntries(Object.entries(result.policies).map(([name, { settings }]) => [name, settings]))
}

/** The single problem of a plan that sets up no policy. */
function onlyProblem(result: SecurityPlan): { path: unknown; message: string } {
  assert.equal(result.problems.length, 1, JSON.stringify(result.problems))
  assert.deepEqual(result.policies, {})
  return result.problems[0]
}

const KEY_MANAGER_JWT = { issuers: [{ keyManager: true }] }

describe('planSecurity: anonymous access', () => {
  test('no security, [] and an empty alternative {} set up no policy', () => {
    assert.deepEqual(plan([]), { policies: {}, problems: [] })
    assert.deepEqual(plan([{}]), { policies: {}, problems: [] })
    // `{}` among alternatives: a caller without credentials is allowed, so nothing is enforced.
    assert.deepEqual(plan([{ oauth: ['api.r'] }, {}]), { policies: {}, problems: [] })
  })
})

describe('planSecurity: OAuth 2.0, OpenID Connect and bearer schemes → jwt', () => {
  test('one oauth2 requirement → jwt with its scopes and the API\'s scopeMatch', () => {
    assert.deepEqual(policies(plan([{ oauth: ['api.r', 'api.w'] }])), { jwt: { ...KEY_MANAGER_JWT, scopes: ['api.r', 'api.w'], scopeMatch: 'all' } })
    assert.deepEqual(policies(plan([{ oauth: ['api.r', 'api.w'] }], { api: { scopeMatch: 'any' } })).jwt.scopeMatch, 'any')
  })

  test('where the settings were configured is the API\'s security entry for the scheme', () => {
    assert.deepEqual(plan([{ oauth: ['api.r'] }]).policies.jwt.path, ['apis', 2, 'security', 'oauth', 'jwt'])
  })

  test('openIdConnect and http bearer become jwt too', () => {
    assert.deepEqual(policies(plan([{ oidc: [] }])), { jwt: { ...KEY_MANAGER_JWT, scopes: [], scopeMatch: 'all' } })
    assert.deepEqual(policies(plan([{ bearer: [] }])).jwt.scopes, [])
  })

  test('jwt settings from the API entry are used (copied, not shared) with the document\'s scopes', () => {
    const jwt = { issuers: [{ issuer: 'https://issuer.test', jwksUri: 'https://issuer.test/jwks', algorithms: ['RS256'], audience: 'demo' }] }
    const result = policies(plan([{ oauth: ['api.w'] }], { api: { security: { oauth: { jwt } } }, hasKeyManager: false }))
    assert.deepEqual(result.jwt, { ...jwt, scopes: ['api.w'], scopeMatch: 'all' })
    assert.notEqual(result.jwt.issuers, jwt.issuers)
  })

  test('alternatives of one scheme with one scope each → scopeMatch any, whatever the API\'s setting', () => {
    const result = policies(plan([{ oauth: ['api.r'] }, { oauth: ['api.w'] }, { oauth: ['api.r'] }]))
    assert.deepEqual(result.jwt, { ...KEY_MANAGER_JWT, scopes: ['api.r', 'api.w'], scopeMatch: 'any' })
  })

  test('alternatives of one scheme where one asks for no scope → any valid token', () => {
    assert.deepEqual(policies(plan([{ oauth: ['api.r'] }, { oauth: [] }])).jwt.scopes, [])
  })

  test('alternatives of one scheme where one needs two scopes cannot be expressed', () => {
    const problem = onlyProblem(plan([{ oauth: ['api.r', 'api.w'] }, { oauth: ['api.w'] }]))
    assert.equal(problem.path, 'spec')
    assert.match(problem.message, /security alternatives .* cannot be enforced/)
  })

  test('an oauth2 scheme with no jwt settings and no key manager is a problem at apis[i].security.<scheme>', () => {
    const problem = onlyProblem(plan([{ oauth: ['api.r'] }], { hasKeyManager: false }))
    assert.deepEqual(problem.path, ['apis', 2, 'security', 'oauth'])
    assert.match(problem.message, /needs jwt settings here .* or a keyManager section/)
  })

  test('jwt settings that contain scopes or scopeMatch are a problem: scopes come from the document', () => {
    for (const extra of [{ scopes: ['x'] }, { scopeMatch: 'any' }]) {
      const problem = onlyProblem(plan([{ oauth: ['api.r'] }], { api: { security: { oauth: { jwt: { ...KEY_MANAGER_JWT, ...extra } } } } }))
      assert.deepEqual(problem.path, ['apis', 2, 'security', 'oauth', 'jwt'])
      assert.match(problem.message, /scopes come from the document/)
    }
  })

  test('api-key settings for an OAuth scheme are a problem, not silently ignored', () => {
    const problem = onlyProblem(plan([{ oauth: ['api.r'] }], { api: { security: { oauth: { 'api-key': {} } } } }))
    assert.deepEqual(problem.path, ['apis', 2, 'security', 'oauth', 'api-key'])
    assert.match(problem.message, /go under jwt/)
  })

  test('two jwt schemes required together cannot be enforced by one jwt policy', () => {
    const result = plan([{ oauth: ['api.r'], bearer: [] }])
    assert.equal(result.problems.length, 1)
    assert.match(result.problems[0].message, /two schemes enforced by the jwt policy/)
  })
})

describe('planSecurity: apiKey schemes → api-key', () => {
  test('a key in a header → api-key with that header', () => {
    assert.deepEqual(policies(plan([{ headerKey: [] }])), { 'api-key': { header: 'X-Key' } })
  })

  test('a key in the query parameter api_key → api-key with queryParam', () => {
    assert.deepEqual(policies(plan([{ queryKey: [] }])), { 'api-key': { queryParam: 'api_key' } })
  })

  test('other api-key settings from the API entry are kept', () => {
    const result = policies(plan([{ headerKey: [] }], { api: { security: { headerKey: { 'api-key': { hideCredentials: false } } } } }))
    assert.deepEqual(result['api-key'], { hideCredentials: false, header: 'X-Key' })
  })

  test('header or queryParam in the API entry are a problem: the document says where the key is', () => {
    for (const given of [{ header: 'X-Other' }, { queryParam: 'key' }]) {
      const problem = onlyProblem(plan([{ headerKey: [] }], { api: { security: { headerKey: { 'api-key': given } } } }))
      assert.deepEqual(problem.path, ['apis', 2, 'security', 'headerKey', 'api-key'])
      assert.match(problem.message, /comes from the document/)
    }
  })

  test('jwt settings for an apiKey scheme are a problem', () => {
    const problem = onlyProblem(plan([{ headerKey: [] }], { api: { security: { headerKey: { jwt: KEY_MANAGER_JWT } } } }))
    assert.deepEqual(problem.path, ['apis', 2, 'security', 'headerKey', 'jwt'])
  })

  test('a key in another query parameter, or in a cookie, is a problem of the document', () => {
    const query = onlyProblem(plan([{ tokenQueryKey: [] }]))
    assert.equal(query.path, 'spec')
    assert.match(query.message, /query parameter "token" \(accepted: api_key, apikey, key/)
    const cookie = onlyProblem(plan([{ cookieKey: [] }]))
    assert.equal(cookie.path, 'spec')
    assert.match(cookie.message, /cookie "session"/)
  })
})

describe('planSecurity: what cannot be enforced', () => {
  test('http basic is a problem of the document', () => {
    const problem = onlyProblem(plan([{ basic: [] }]))
    assert.equal(problem.path, 'spec')
    assert.match(problem.message, /scheme "basic" \(http basic\) cannot be enforced/)
  })

  test('alternatives of different schemes are a problem of the document', () => {
    const problem = onlyProblem(plan([{ oauth: ['api.r'] }, { headerKey: [] }]))
    assert.equal(problem.path, 'spec')
    assert.match(problem.message, /GET \/data: security alternatives/)
  })

  test('a scheme the document does not define is a problem of the document', () => {
    assert.match(onlyProblem(plan([{ nowhere: [] }])).message, /scheme "nowhere", which the document does not define/)
  })
})

describe('planSecurity: one alternative naming two schemes (AND)', () => {
  test('apiKey + oauth2 → both policies, each with its own settings', () => {
    assert.deepEqual(policies(plan([{ headerKey: [], oauth: ['api.w'] }], { api: { scopeMatch: 'any' } })), {
      'api-key': { header: 'X-Key' },
      jwt: { ...KEY_MANAGER_JWT, scopes: ['api.w'], scopeMatch: 'any' },
    })
  })
})
