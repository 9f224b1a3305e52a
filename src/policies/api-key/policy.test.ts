import assert from 'node:assert/strict'
import { after, before, describe, it } from 'node:test'
import { ConsumerIndex } from '../../consumers/directory.ts'
import { GatehouseError } from '../../core/errors/gatehouse-error.ts'
import { generateSecret } from '../../keymanager/secrets/generate-secret.ts'
import { SecretHasher } from '../../keymanager/secrets/secret-hasher.ts'
import type { RequestContext } from '../../kit/context.ts'
import { SENSITIVE_QUERY_PARAMS } from '../../observability/redact-query.ts'
import { MemoryStore } from '../../store/memory/memory-store.ts'
import { makeTestContext, type TestContextInit } from '../test-context.ts'
import { loadSettings, settingsProblems } from '../test-settings.ts'
import { apiKeyPolicy } from './policy.ts'
import { KEY_QUERY_PARAMS } from './schema.ts'

const hasher = new SecretHasher('pepper-for-the-api-key-policy-tests-0001')
const FILE_KEY = generateSecret()
const STORE_KEY = generateSecret()
const SUSPENDED_KEY = generateSecret()
const store = new MemoryStore()
// Built now, so describe blocks can compile policies against it; filled from the store in before().
const directory = new ConsumerIndex({
  hasher,
  fromConfig: [{ id: 'billing', name: 'Billing', status: 'active', apiKeys: [{ digest: hasher.digest(FILE_KEY), label: '' }], clientIds: [] }],
  store,
  ownsStore: false,
  refreshMs: 60_000,
})

before(async () => {
  await store.createConsumer({ consumerId: 'search', name: 'Search', status: 'active', createdAt: 1, updatedAt: 1 })
  await store.createConsumer({ consumerId: 'dormant', name: 'Dormant', status: 'suspended', createdAt: 1, updatedAt: 1 })
  await store.saveApiKey({ digest: hasher.digest(STORE_KEY), consumerId: 'search', label: '', createdAt: 1, revokedAt: null })
  await store.saveApiKey({ digest: hasher.digest(SUSPENDED_KEY), consumerId: 'dormant', label: '', createdAt: 1, revokedAt: null })
  assert.equal(await directory.refresh(), true)
})
after(async () => {
  await directory.stop()
  await store.close()
})

type Outcome = { ok: true; ctx: RequestContext } | { ok: false; error: GatehouseError; ctx: RequestContext }

function policy(raw: unknown = {}): (init: TestContextInit) => Outcome {
  const authenticate = apiKeyPolicy.create(loadSettings(apiKeyPolicy, raw), { configDir: '.', routeName: 'test', consumers: directory }).authenticate
  assert.ok(authenticate)
  return (init) => {
    const ctx = makeTestContext(init)
    try {
      const result = authenticate(ctx)
      assert.equal(result, undefined, 'the check is synchronous')
      return { ok: true, ctx }
    } catch (error) {
      assert.ok(error instanceof GatehouseError, String(error))
      return { ok: false, error, ctx }
    }
  }
}

function refused(outcome: Outcome, code: string, status: number): GatehouseError {
  assert.equal(outcome.ok, false, `expected ${code}`)
  if (outcome.ok) throw new Error('unreachable')
  assert.equal(outcome.error.code, code)
  assert.equal(outcome.error.status, status)
  return outcome.error
}

function admitted(outcome: Outcome): RequestContext {
  assert.ok(outcome.ok, outcome.ok ? '' : `refused with ${outcome.error.code}: ${outcome.error.detail}`)
  return outcome.ctx
}

describe('api-key settings', () => {
  it('fills the defaults', () => {
    assert.deepEqual(loadSettings(apiKeyPolicy, {}), { header: 'X-API-Key', hideCredentials: true, identityHeader: 'X-Consumer-Id' })
  })

  it('accepts only query parameter names the access log redacts', () => {
    for (const name of KEY_QUERY_PARAMS) {
      assert.ok(SENSITIVE_QUERY_PARAMS.has(name), `${name} is redacted by the access log`)
      assert.deepEqual(settingsProblems(apiKeyPolicy, { queryParam: name }), [])
    }
    assert.equal(settingsProblems(apiKeyPolicy, { queryParam: 'x_key' }).length, 1)
  })

  it('refuses an identity header equal to the key header, and gateway-managed header names', () => {
    assert.deepEqual(settingsProblems(apiKeyPolicy, { header: 'X-Key', identityHeader: 'x_key' }), ['identityHeader: must differ from header'])
    assert.deepEqual(settingsProblems(apiKeyPolicy, { identityHeader: 'Content-Length' }), ['identityHeader: Content-Length is a header the gateway manages itself; choose another name'])
    assert.deepEqual(settingsProblems(apiKeyPolicy, { header: 'Host' }), ['header: Host is a header the gateway manages itself; choose another name'])
    assert.equal(settingsProblems(apiKeyPolicy, { header: 'X API Key' }).length, 1)
  })

  it('refuses to compile without a consumer directory', () => {
    assert.throws(() => apiKeyPolicy.create(loadSettings(apiKeyPolicy, {}), { configDir: '.', routeName: 'test' }), { code: 'GH_ERR_CONFIG_INVALID' })
  })
})

describe('api-key authenticate', () => {
  const check = policy()

  it('admits a file consumer\'s key from the header: identity set, identity header set, key header removed', () => {
    const ctx = admitted(check({ headers: { 'x-api-key': FILE_KEY, accept: 'application/json' } }))
    assert.deepEqual(ctx.identity, { consumerId: 'billing' })
    assert.equal(ctx.upstream.headers.get('X-Consumer-Id'), 'billing')
    assert.equal(ctx.upstream.headers.get('x-api-key'), undefined)
    assert.equal(ctx.upstream.headers.get('accept'), 'application/json')
  })

  it('admits a store consumer\'s key, read in any header-name case', () => {
    const ctx = admitted(check({ headers: { 'X-Api-KEY': STORE_KEY } }))
    assert.equal(ctx.identity?.consumerId, 'search')
  })

  it('SMUG-13: replaces every client-sent identity header, also the underscore spelling, with the consumer id', () => {
    const ctx = admitted(check({ headers: { 'x-api-key': FILE_KEY, 'x-consumer-id': 'admin', 'x_consumer_id': 'root' } }))
    const identityFields = ctx.upstream.headers.flat.filter((_, i, flat) => i % 2 === 0 && flat[i].toLowerCase().replaceAll('_', '-') === 'x-consumer-id')
    assert.equal(identityFields.length, 1)
    assert.equal(ctx.upstream.headers.get('x-consumer-id'), 'billing')
  })

  it('keeps the key header when hideCredentials is false, and uses the configured header names', () => {
    const custom = policy({ header: 'Api-Token', identityHeader: 'X-App', hideCredentials: false })
    const ctx = admitted(custom({ headers: { 'api-token': FILE_KEY } }))
    assert.equal(ctx.upstream.headers.get('api-token'), FILE_KEY)
    assert.equal(ctx.upstream.headers.get('x-app'), 'billing')
    refused(custom({ headers: { 'x-api-key': FILE_KEY } }), 'GH_ERR_AUTH_KEY_MISSING', 401)
  })

  it('adds the consumer id to an identity another policy set', () => {
    const ctx = makeTestContext({ headers: { 'x-api-key': FILE_KEY } })
    ctx.identity = { subject: 'alice', scopes: ['read'] }
    const authenticate = apiKeyPolicy.create(loadSettings(apiKeyPolicy, {}), { configDir: '.', routeName: 'test', consumers: directory }).authenticate
    authenticate?.(ctx)
    assert.deepEqual(ctx.identity, { subject: 'alice', scopes: ['read'], consumerId: 'billing' })
  })

  it('refuses a request without a key (or with an empty one) with 401 GH_ERR_AUTH_KEY_MISSING and a challenge', () => {
    for (const headers of [{}, { 'x-api-key': '' }, { authorization: `Bearer ${FILE_KEY}` }]) {
      const error = refused(check({ headers }), 'GH_ERR_AUTH_KEY_MISSING', 401)
      assert.deepEqual(error.headers, { 'www-authenticate': 'ApiKey header="X-API-Key"' })
    }
    // A key in the query is not read unless the route asks for it.
    refused(check({ query: `api_key=${FILE_KEY}` }), 'GH_ERR_AUTH_KEY_MISSING', 401)
  })

  it('refuses unknown keys, keys of another length and over-long keys with 401 GH_ERR_AUTH_KEY_INVALID, never echoing them', () => {
    for (const key of [generateSecret(), FILE_KEY.slice(0, -1), `${FILE_KEY}x`, FILE_KEY.toLowerCase() === FILE_KEY ? `${FILE_KEY}A` : FILE_KEY.toLowerCase(), 'k'.repeat(10_000)]) {
      const error = refused(check({ headers: { 'x-api-key': key } }), 'GH_ERR_AUTH_KEY_INVALID', 401)
      assert.ok(!error.detail.includes(key) && !error.message.includes(key))
      assert.deepEqual(error.headers, { 'www-authenticate': 'ApiKey header="X-API-Key"' })
    }
  })

  it('refuses a suspended consumer\'s key with 403 GH_ERR_AUTH_CONSUMER_SUSPENDED', () => {
    refused(check({ headers: { 'x-api-key': SUSPENDED_KEY } }), 'GH_ERR_AUTH_CONSUMER_SUSPENDED', 403)
  })

  it('refuses two key headers with 400 GH_ERR_AUTH_BAD_REQUEST, even when both hold the same valid key', () => {
    refused(check({ headers: { 'x-api-key': [FILE_KEY, FILE_KEY] } }), 'GH_ERR_AUTH_BAD_REQUEST', 400)
    refused(check({ headers: { 'x-api-key': [generateSecret(), FILE_KEY] } }), 'GH_ERR_AUTH_BAD_REQUEST', 400)
  })

  it('KEY-04: refuses a key revoked and a consumer suspended in the store once the directory has refreshed', async () => {
    const key = generateSecret()
    await store.createConsumer({ consumerId: 'temp', name: 'Temp', status: 'active', createdAt: 1, updatedAt: 1 })
    await store.saveApiKey({ digest: hasher.digest(key), consumerId: 'temp', label: '', createdAt: 1, revokedAt: null })
    refused(check({ headers: { 'x-api-key': key } }), 'GH_ERR_AUTH_KEY_INVALID', 401)
    assert.equal(await directory.refresh(), true)
    admitted(check({ headers: { 'x-api-key': key } }))
    await store.updateConsumer({ consumerId: 'temp', name: 'Temp', status: 'suspended', createdAt: 1, updatedAt: 2 })
    await directory.refresh()
    refused(check({ headers: { 'x-api-key': key } }), 'GH_ERR_AUTH_CONSUMER_SUSPENDED', 403)
    await store.revokeApiKey(hasher.digest(key), 3)
    await directory.refresh()
    refused(check({ headers: { 'x-api-key': key } }), 'GH_ERR_AUTH_KEY_INVALID', 401)
    await store.deleteConsumer('temp')
    await directory.refresh()
  })
})

describe('api-key in the query string', () => {
  const check = policy({ queryParam: 'api_key' })

  it('admits a key from the query and removes the parameter (every spelling) from the upstream path only', () => {
    for (const name of ['api_key', 'API_KEY', 'api%5Fkey', 'Api%5fKey']) {
      const query = `page=2&${name}=${encodeURIComponent(FILE_KEY)}&sort=asc`
      const ctx = admitted(check({ path: '/invoices', query }))
      assert.equal(ctx.identity?.consumerId, 'billing', name)
      assert.equal(ctx.upstream.path, '/invoices?page=2&sort=asc', name)
      assert.equal(ctx.request.query, query, 'the request itself is left as received')
    }
    const alone = admitted(check({ path: '/invoices', query: `api_key=${FILE_KEY}` }))
    assert.equal(alone.upstream.path, '/invoices')
  })

  it('names both places in its challenge and its missing-key message', () => {
    const error = refused(check({}), 'GH_ERR_AUTH_KEY_MISSING', 401)
    assert.deepEqual(error.headers, { 'www-authenticate': 'ApiKey header="X-API-Key", query="api_key"' })
    assert.match(error.detail, /X-API-Key header or the api_key query parameter/)
    refused(check({ query: 'api_key=' }), 'GH_ERR_AUTH_KEY_MISSING', 401)
  })

  it('refuses a repeated parameter, or a key in both places, with 400; a malformed escape with 401', () => {
    refused(check({ query: `api_key=${FILE_KEY}&API_KEY=${FILE_KEY}` }), 'GH_ERR_AUTH_BAD_REQUEST', 400)
    refused(check({ query: `api_key=${FILE_KEY}`, headers: { 'x-api-key': FILE_KEY } }), 'GH_ERR_AUTH_BAD_REQUEST', 400)
    refused(check({ query: 'api_key=%E0%A4%A' }), 'GH_ERR_AUTH_KEY_INVALID', 401)
  })

  it('still reads the header, and leaves other parameters that merely contain the name alone', () => {
    const ctx = admitted(check({ path: '/x', query: 'monkey=1&api_keys=2', headers: { 'x-api-key': FILE_KEY } }))
    assert.equal(ctx.upstream.path, '/x?monkey=1&api_keys=2')
  })
})
