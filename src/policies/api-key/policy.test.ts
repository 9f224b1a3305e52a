import assert from 'node:assert/strict'
import { after, afterEach, before, beforeEach, describe, it, mock } from 'node:test'
import { ConsumerIndex } from '../../consumers/directory.ts'
import { GatehouseError } from '../../core/errors/gatehouse-error.ts'
import { generateSecret } from '../../keymanager/secrets/generate-secret.ts'
import { SecretHasher } from '../../keymanager/secrets/secret-hasher.ts'
import type { ConsumerDirectory } from '../../kit/consumers.ts'
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

function policy(raw: unknown = {}, consumers: ConsumerDirectory = directory, log?: (event: string, fields: object) => void): (init: TestContextInit) => Outcome {
  const authenticate = apiKeyPolicy.create(loadSettings(apiKeyPolicy, raw), { configDir: '.', routeName: 'test', consumers, log }).authenticate
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
    assert.deepEqual(loadSettings(apiKeyPolicy, {}), {
      header: 'X-API-Key', hideCredentials: true, identityHeader: 'X-Consumer-Id', failureLimit: { maxFailures: 100, windowSeconds: 60 },
    })
    assert.deepEqual(loadSettings(apiKeyPolicy, { failureLimit: { maxFailures: 5 } }).failureLimit, { maxFailures: 5, windowSeconds: 60 })
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

  it('KEY-05: refuses a failure limit out of range', () => {
    for (const failureLimit of [{ maxFailures: -1 }, { maxFailures: 1.5 }, { windowSeconds: 0 }, { windowSeconds: 3601 }, { maxFailures: 10, per: 'minute' }, false]) {
      assert.equal(settingsProblems(apiKeyPolicy, { failureLimit }).length, 1, JSON.stringify(failureLimit))
    }
    assert.deepEqual(settingsProblems(apiKeyPolicy, { failureLimit: { maxFailures: 0 } }), [])
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

describe('api-key failure limit per client address (KEY-05)', () => {
  beforeEach(() => mock.timers.enable({ apis: ['Date'], now: 1_700_000_000_000 }))
  afterEach(() => mock.timers.reset())

  /** The shared directory, counting the lookups the policy makes. A new one also means new failure counts. */
  function countingDirectory(): ConsumerDirectory & { lookups: number } {
    const counted = {
      lookups: 0,
      findByApiKey(key: string) {
        counted.lookups++
        return directory.findByApiKey(key)
      },
      findByClientId: (clientId: string) => directory.findByClientId(clientId),
    }
    return counted
  }

  const withKey = (clientIp: string, key: string): TestContextInit => ({ clientIp, headers: { 'x-api-key': key } })

  function tooMany(outcome: Outcome, retryAfter: number): void {
    const error = refused(outcome, 'GH_ERR_AUTH_TOO_MANY_FAILURES', 429)
    assert.deepEqual(error.headers, { 'retry-after': String(retryAfter) })
  }

  it('KEY-05: past maxFailures refusals, the address gets 429 with Retry-After before any key lookup; other addresses are unaffected', () => {
    const consumers = countingDirectory()
    const check = policy({ failureLimit: { maxFailures: 5, windowSeconds: 60 } }, consumers)
    const attacker = '203.0.113.7'
    for (let i = 0; i < 5; i++) refused(check(withKey(attacker, generateSecret())), 'GH_ERR_AUTH_KEY_INVALID', 401)
    assert.equal(consumers.lookups, 5)
    mock.timers.tick(20_000)
    for (let i = 0; i < 1000; i++) tooMany(check(withKey(attacker, generateSecret())), 40)
    assert.equal(consumers.lookups, 5, 'no key from the throttled address was looked up')
    const other = admitted(check(withKey('203.0.113.8', FILE_KEY)))
    assert.equal(other.identity?.consumerId, 'billing')
    refused(check(withKey('203.0.113.8', generateSecret())), 'GH_ERR_AUTH_KEY_INVALID', 401)
    admitted(check(withKey('2001:db8::8', STORE_KEY)))
  })

  it('KEY-05: a valid key from the throttled address is refused until the window ends, then admitted', () => {
    const check = policy({ failureLimit: { maxFailures: 3, windowSeconds: 30 } }, countingDirectory())
    const source = '198.51.100.23'
    for (let i = 0; i < 3; i++) refused(check(withKey(source, generateSecret())), 'GH_ERR_AUTH_KEY_INVALID', 401)
    tooMany(check(withKey(source, FILE_KEY)), 30)
    mock.timers.tick(29_500)
    tooMany(check(withKey(source, FILE_KEY)), 1)
    mock.timers.tick(500)
    assert.equal(admitted(check(withKey(source, FILE_KEY))).identity?.consumerId, 'billing')
    // A new window: the address has its full allowance again.
    for (let i = 0; i < 3; i++) refused(check(withKey(source, generateSecret())), 'GH_ERR_AUTH_KEY_INVALID', 401)
    tooMany(check(withKey(source, FILE_KEY)), 30)
  })

  it('KEY-05: a missing, unknown, suspended or repeated key counts; a valid key in between does not reset the count', () => {
    const check = policy({ queryParam: 'api_key', failureLimit: { maxFailures: 5, windowSeconds: 60 } }, countingDirectory())
    const source = '2001:db8::7'
    refused(check({ clientIp: source }), 'GH_ERR_AUTH_KEY_MISSING', 401)
    admitted(check(withKey(source, FILE_KEY)))
    refused(check(withKey(source, generateSecret())), 'GH_ERR_AUTH_KEY_INVALID', 401)
    refused(check(withKey(source, SUSPENDED_KEY)), 'GH_ERR_AUTH_CONSUMER_SUSPENDED', 403)
    admitted(check(withKey(source, STORE_KEY)))
    refused(check({ clientIp: source, headers: { 'x-api-key': [FILE_KEY, FILE_KEY] } }), 'GH_ERR_AUTH_BAD_REQUEST', 400)
    refused(check({ clientIp: source, query: 'api_key=%E0%A4%A' }), 'GH_ERR_AUTH_KEY_INVALID', 401)
    tooMany(check(withKey(source, FILE_KEY)), 60)
  })

  it('KEY-05: maxFailures 0 turns the limit off', () => {
    const consumers = countingDirectory()
    const check = policy({ failureLimit: { maxFailures: 0 } }, consumers)
    for (let i = 0; i < 1000; i++) refused(check(withKey('203.0.113.50', `wrong-key-${i}`)), 'GH_ERR_AUTH_KEY_INVALID', 401)
    assert.equal(consumers.lookups, 1000)
    admitted(check(withKey('203.0.113.50', FILE_KEY)))
  })

  it('KEY-05: routes with the same limit share one count per address; a route with another limit counts on its own', () => {
    const consumers = countingDirectory()
    const invoices = policy({ failureLimit: { maxFailures: 4 } }, consumers)
    const reports = policy({ header: 'Api-Token', failureLimit: { maxFailures: 4 } }, consumers)
    const strict = policy({ failureLimit: { maxFailures: 2 } }, consumers)
    const source = '192.0.2.44'
    for (let i = 0; i < 2; i++) refused(invoices(withKey(source, generateSecret())), 'GH_ERR_AUTH_KEY_INVALID', 401)
    for (let i = 0; i < 2; i++) refused(reports({ clientIp: source, headers: { 'api-token': generateSecret() } }), 'GH_ERR_AUTH_KEY_INVALID', 401)
    tooMany(invoices(withKey(source, FILE_KEY)), 60)
    tooMany(reports({ clientIp: source, headers: { 'api-token': FILE_KEY } }), 60)
    admitted(strict(withKey(source, FILE_KEY)))
    for (let i = 0; i < 2; i++) refused(strict(withKey(source, generateSecret())), 'GH_ERR_AUTH_KEY_INVALID', 401)
    tooMany(strict(withKey(source, FILE_KEY)), 60)
    // Another loaded config (another directory) starts its own counts.
    admitted(policy({ failureLimit: { maxFailures: 4 } }, countingDirectory())(withKey(source, FILE_KEY)))
  })

  it('KEY-05: logs once when an address uses up its window, without the key', () => {
    const events: { event: string; fields: object }[] = []
    const check = policy({ failureLimit: { maxFailures: 2, windowSeconds: 45 } }, countingDirectory(), (event, fields) => events.push({ event, fields }))
    const key = generateSecret()
    for (let i = 0; i < 10; i++) check(withKey('203.0.113.99', key))
    assert.deepEqual(events, [{ event: 'api-key.failure_limit_reached', fields: { route: 'test', clientIp: '203.0.113.99', windowSeconds: 45 } }])
  })

  it('KEY-05: a flood of failures from ever new addresses keeps a bounded number of them (the oldest are forgotten)', () => {
    const check = policy({ failureLimit: { maxFailures: 1, windowSeconds: 60 } }, countingDirectory())
    refused(check(withKey('192.0.2.1', 'not-a-key')), 'GH_ERR_AUTH_KEY_INVALID', 401)
    tooMany(check(withKey('192.0.2.1', FILE_KEY)), 60)
    for (let i = 0; i < 10_000; i++) refused(check(withKey(`10.${i >> 16}.${(i >> 8) & 255}.${i & 255}`, 'not-a-key')), 'GH_ERR_AUTH_KEY_INVALID', 401)
    admitted(check(withKey('192.0.2.1', FILE_KEY)))
    tooMany(check(withKey('10.0.39.15', FILE_KEY)), 60)
  })
})
