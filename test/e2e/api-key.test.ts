// The api-key policy through a running gateway and a real upstream: keys from the config file and
// keys made with `gatehouse consumers` (a separate process writing the same SQLite store). Every
// refusal reaches nothing upstream, and the key shows up nowhere it should not.
import { test, after, before, describe, type TestContext } from 'node:test'
import assert from 'node:assert/strict'
import fs from 'node:fs/promises'
import http from 'node:http'
import path from 'node:path'
import { redactConfig } from '../../src/config/redact.ts'
import { SqliteStore } from '../../src/store/sqlite/sqlite-store.ts'
import { generateSecret } from '../../src/keymanager/secrets/generate-secret.ts'
import { runCli } from '../helpers/cli.ts'
import { startGateway, type TestGateway } from '../helpers/gateway.ts'
import { httpRequest, problemCode, type HttpAnswer } from '../helpers/http-client.ts'
import { startUpstream, type TestUpstream } from '../helpers/servers.ts'

const BILLING_KEY = generateSecret()
const DORMANT_KEY = generateSecret()
// The gateway here and the CLI child processes both read the keys from the environment.
process.env.GH_E2E_BILLING_KEY = BILLING_KEY
process.env.GH_E2E_DORMANT_KEY = DORMANT_KEY
const REFRESH_SECONDS = 1
// How late past the refresh interval a change may show: a poll's own read plus timer delay on a busy machine.
const SLACK_MS = 1000

let upstream: TestUpstream
let gw: TestGateway

before(async () => {
  upstream = await startUpstream((req, res) => {
    const payload = JSON.stringify({ url: req.url })
    res.writeHead(200, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(payload) })
    res.end(payload)
  })
  gw = await startGateway(configYaml())
})

/** The gateway's config; `moreConsumers` are appended to its consumers list (YAML list items). */
function configYaml(moreConsumers = ''): string {
  return `
admin: { host: 127.0.0.1, port: 0, token: admin-token-for-api-key-tests }
observability: { accessLog: { enabled: true, destination: access.log }, metrics: false }
keyManager:
  issuer: http://127.0.0.1/oauth2
  store: { path: data/gatehouse.db }
consumerRefreshSeconds: ${REFRESH_SECONDS}
consumers:
  - id: billing
    apiKeys: [{ key: "\${env:GH_E2E_BILLING_KEY}", label: production }]
  - id: dormant
    status: suspended
    apiKeys: [{ key: "\${env:GH_E2E_DORMANT_KEY}" }]
${moreConsumers}
upstreams: { app: { targets: ['${upstream.url}'] } }
routes:
  - name: invoices
    paths: [/invoices]
    upstream: app
    policies:
      # KEY-02 and the store-load check send thousands of wrong keys from one address: the failure
      # limit (KEY-05, tested on its own gateway below) is set high enough for them to reach the lookup.
      api-key: { queryParam: api_key, failureLimit: { maxFailures: 100000 } }
  - name: reports
    paths: [/reports]
    upstream: app
    policies:
      api-key: { hideCredentials: false, identityHeader: X-App }
`
}

after(async () => {
  await gw?.stop()
  await upstream?.close()
})

function get(target: string, headers: http.OutgoingHttpHeaders = {}, agent?: http.Agent): Promise<HttpAnswer> {
  return httpRequest(`${gw.url}${target}`, { headers, agent })
}

/** Sends the request and checks the refusal reached nothing upstream and does not echo the key. */
async function refusedWith(target: string, headers: http.OutgoingHttpHeaders, status: number, code: string, key?: string): Promise<HttpAnswer> {
  const seen = upstream.seen.length
  const answer = await get(target, headers)
  assert.equal(answer.status, status, answer.body)
  assert.equal(problemCode(answer), code)
  assert.equal(upstream.seen.length, seen, 'nothing reached the upstream')
  if (key !== undefined) assert.ok(!answer.body.includes(key) && !JSON.stringify(answer.headers).includes(key), 'the key is not echoed')
  return answer
}

/** Polls until `check` holds; returns the milliseconds it took, or fails after `limitMs`. */
async function within(limitMs: number, check: () => Promise<boolean>): Promise<number> {
  const started = Date.now()
  for (;;) {
    if (await check()) return Date.now() - started
    assert.ok(Date.now() - started < limitMs, `not observed within ${limitMs} ms`)
    await new Promise((resolve) => setTimeout(resolve, 25))
  }
}

async function cli(...args: string[]): Promise<string> {
  const result = await runCli(['consumers', ...args, '--config', gw.configFile])
  assert.equal(result.code, 0, result.stderr)
  return result.stdout
}

describe('api-key policy through the gateway', () => {
  test('a key in the header is accepted: the upstream gets the consumer id and never the key', async () => {
    const answer = await get('/invoices/7', { 'x-api-key': BILLING_KEY })
    assert.equal(answer.status, 200, answer.body)
    const seen = upstream.seen.at(-1)
    assert.equal(seen?.headers['x-consumer-id'], 'billing')
    assert.equal(seen?.headers['x-api-key'], undefined)
    assert.ok(!seen?.rawHeaders.includes(BILLING_KEY))
  })

  test('a key in ?api_key= is accepted and removed from the path sent upstream', async () => {
    const answer = await get(`/invoices?page=2&api_key=${encodeURIComponent(BILLING_KEY)}&sort=asc`)
    assert.equal(answer.status, 200, answer.body)
    assert.equal(upstream.seen.at(-1)?.url, '/invoices?page=2&sort=asc')
    assert.equal(upstream.seen.at(-1)?.headers['x-consumer-id'], 'billing')
  })

  test('no key: 401 GH_ERR_AUTH_KEY_MISSING with an ApiKey challenge', async () => {
    const answer = await refusedWith('/invoices', {}, 401, 'GH_ERR_AUTH_KEY_MISSING')
    assert.equal(answer.headers['www-authenticate'], 'ApiKey header="X-API-Key", query="api_key"')
  })

  test('an unknown key, and a real key changed at its first or last character: 401 GH_ERR_AUTH_KEY_INVALID', async () => {
    for (const key of [generateSecret(), flipAt(BILLING_KEY, 0), flipAt(BILLING_KEY, BILLING_KEY.length - 1)]) {
      await refusedWith('/invoices', { 'x-api-key': key }, 401, 'GH_ERR_AUTH_KEY_INVALID', key)
    }
  })

  test('a suspended consumer\'s key: 403 GH_ERR_AUTH_CONSUMER_SUSPENDED', async () => {
    await refusedWith('/invoices', { 'x-api-key': DORMANT_KEY }, 403, 'GH_ERR_AUTH_CONSUMER_SUSPENDED', DORMANT_KEY)
  })

  test('a key in the header and in the query at once: 400, nothing forwarded', async () => {
    await refusedWith(`/invoices?api_key=${BILLING_KEY}`, { 'x-api-key': BILLING_KEY }, 400, 'GH_ERR_AUTH_BAD_REQUEST', BILLING_KEY)
  })

  test('SMUG-13: client-sent identity headers (any case, underscore spelling) are replaced by the one the gateway sets', async () => {
    const answer = await get('/invoices', { 'x-api-key': BILLING_KEY, 'X-Consumer-Id': 'admin', 'X_Consumer_Id': 'root' })
    assert.equal(answer.status, 200, answer.body)
    const raw = upstream.seen.at(-1)?.rawHeaders ?? []
    const identity = raw.flatMap((name, i) => (i % 2 === 0 && name.toLowerCase().replaceAll('_', '-') === 'x-consumer-id' ? [raw[i + 1]] : []))
    assert.deepEqual(identity, ['billing'])
  })

  test('with hideCredentials: false the key header is forwarded, and the identity header is the configured one', async () => {
    const answer = await get('/reports', { 'x-api-key': BILLING_KEY })
    assert.equal(answer.status, 200, answer.body)
    assert.equal(upstream.seen.at(-1)?.headers['x-api-key'], BILLING_KEY)
    assert.equal(upstream.seen.at(-1)?.headers['x-app'], 'billing')
  })

  test('the access log records the request with the api_key value redacted, never the key', async () => {
    const marker = `/invoices?trace=${generateSecret(16)}&api_key=${encodeURIComponent(BILLING_KEY)}`
    assert.equal((await get(marker)).status, 200)
    await refusedWith(`/invoices?api_key=${encodeURIComponent(DORMANT_KEY)}`, {}, 403, 'GH_ERR_AUTH_CONSUMER_SUSPENDED')
    const logFile = path.join(gw.dir, 'access.log')
    let log = ''
    await within(5000, async () => {
      log = await fs.readFile(logFile, 'utf8').catch(() => '')
      return log.includes(marker.slice(0, 40)) && log.includes('GH_ERR_AUTH_CONSUMER_SUSPENDED')
    })
    assert.ok(log.includes('api_key=***'))
    for (const key of [BILLING_KEY, DORMANT_KEY, encodeURIComponent(BILLING_KEY)]) assert.ok(!log.includes(key), 'no key in the access log')
  })

  test('KEY-01: neither the loaded config nor its redacted form holds a key', () => {
    const loaded = JSON.stringify(gw.gateway.config)
    const shown = JSON.stringify(redactConfig(gw.gateway.config))
    for (const key of [BILLING_KEY, DORMANT_KEY]) {
      assert.ok(!loaded.includes(key) && !shown.includes(key))
    }
    assert.ok(redactConfig(gw.gateway.config).consumers.every((consumer) => consumer.apiKeys.every((key) => key.digest === '***')))
  })

  test('KEY-02: wrong keys differing from a real one at the first or at the last character take the same time', async () => {
    const atFirst = flipAt(BILLING_KEY, 0)
    const atLast = flipAt(BILLING_KEY, BILLING_KEY.length - 1)
    const agent = new http.Agent({ keepAlive: true, maxSockets: 1 })
    const timed = async (key: string): Promise<number> => {
      const started = process.hrtime.bigint()
      const answer = await get('/invoices', { 'x-api-key': key }, agent)
      const elapsed = Number(process.hrtime.bigint() - started)
      assert.equal(answer.status, 401)
      return elapsed
    }
    try {
      for (let i = 0; i < 100; i++) { await timed(atFirst); await timed(atLast) }
      const first: number[] = []
      const last: number[] = []
      // 2 000 requests, alternating, so drift of the machine hits both sides alike; compared at low
      // percentiles and the median, because preemption by other processes only ever adds time.
      for (let i = 0; i < 1000; i++) {
        if (i % 2 === 0) { first.push(await timed(atFirst)); last.push(await timed(atLast)) }
        else { last.push(await timed(atLast)); first.push(await timed(atFirst)) }
      }
      for (const quantile of [0.1, 0.25, 0.5]) {
        const ratio = at(first, quantile) / at(last, quantile)
        assert.ok(ratio > 0.85 && ratio < 1.18, `p${quantile * 100} time ratio ${ratio.toFixed(3)}`)
      }
    } finally {
      agent.destroy()
    }
  })
})

describe('keys managed with `gatehouse consumers` reach the running gateway', () => {
  test(`KEY-04: a CLI-made key works, and suspending, activating and revoking apply, each within consumerRefreshSeconds (${REFRESH_SECONDS} s)`, async () => {
    const bound = REFRESH_SECONDS * 1000 + SLACK_MS
    await cli('create', 'partner', '--name', 'Partner Inc.')
    const made = JSON.parse(await cli('add-key', 'partner', '--label', 'e2e', '--json')) as { consumerId: string; keyId: string; key: string }
    assert.match(made.key, /^[A-Za-z0-9_-]{43}$/, 'a 256-bit key')
    const status = async (): Promise<number> => (await get('/invoices', { 'x-api-key': made.key })).status

    await within(bound, async () => (await status()) === 200)
    assert.equal(upstream.seen.at(-1)?.headers['x-consumer-id'], 'partner')

    await cli('suspend', 'partner')
    await within(bound, async () => (await status()) === 403)
    await cli('activate', 'partner')
    await within(bound, async () => (await status()) === 200)

    await cli('revoke-key', 'partner', made.keyId)
    await within(bound, async () => (await status()) === 401)
    const answer = await get('/invoices', { 'x-api-key': made.key })
    assert.equal(problemCode(answer), 'GH_ERR_AUTH_KEY_INVALID')
  })

  test('KEY-01: the store file holds the digest of a CLI-made key, never the key, and the key is shown by add-key only', async () => {
    await cli('create', 'auditor')
    const made = JSON.parse(await cli('add-key', 'auditor', '--json')) as { key: string; keyId: string }
    const listed = await cli('list', '--json')
    assert.ok(!listed.includes(made.key), 'list never shows a key')
    assert.ok(listed.includes(made.keyId))
    const dbFile = path.join(gw.dir, 'data', 'gatehouse.db')
    const bytes = (await Promise.all([dbFile, `${dbFile}-wal`].map((file) => fs.readFile(file).catch(() => Buffer.alloc(0))))).map((buffer) => buffer.toString('latin1')).join('')
    assert.ok(bytes.length > 0)
    assert.ok(!bytes.includes(made.key), 'no plaintext key in the SQLite file or its WAL')
    assert.ok(bytes.includes(made.keyId), 'the digest is there')
  })

  test('add-key and delete say when running gateways apply them, and the printed key is the one accepted', async () => {
    await cli('create', 'newcomer')
    const added = await cli('add-key', 'newcomer', '--label', 'text')
    const key = /^([A-Za-z0-9_-]{43})$/m.exec(added)?.[1]
    assert.ok(key !== undefined, added)
    assert.match(added, new RegExp(`cannot be shown again\\. Gateways accept it within ${REFRESH_SECONDS} s\\.`))
    await within(REFRESH_SECONDS * 1000 + SLACK_MS, async () => (await get('/invoices', { 'x-api-key': key })).status === 200)
    assert.match(await cli('delete', 'newcomer'), new RegExp(`deleted consumer newcomer with its keys; gateways refuse them within ${REFRESH_SECONDS} s`))
    await within(REFRESH_SECONDS * 1000 + SLACK_MS, async () => (await get('/invoices', { 'x-api-key': key })).status === 401)
  })

  test('the CLI refuses to shadow a consumer of the config file, and names an unknown consumer', async () => {
    const clash = await runCli(['consumers', 'create', 'billing', '--config', gw.configFile])
    assert.equal(clash.code, 1)
    assert.match(clash.stderr, /consumer "billing" is already defined in/)
    const unknown = await runCli(['consumers', 'add-key', 'nobody', '--config', gw.configFile])
    assert.equal(unknown.code, 1)
    assert.match(unknown.stderr, /no consumer "nobody" in the store/)
    assert.equal(unknown.stdout, '', 'no key printed')
    const usage = await runCli(['consumers', 'revoke-key', 'partner', '--config', gw.configFile])
    assert.equal(usage.code, 2)
  })
})

describe('KEY-05: a flood of invalid keys does not reach the store', () => {
  test('KEY-05: 2 000 random invalid keys are answered from memory: store calls stay at the background refresh rate (measured)', async (t: TestContext) => {
    // A consumer in the SQLite store, so the keys are looked up in a directory that follows it.
    await cli('create', 'ledger')
    const made = JSON.parse(await cli('add-key', 'ledger', '--json')) as { key: string }
    await within(REFRESH_SECONDS * 1000 + SLACK_MS, async () => (await get('/invoices', { 'x-api-key': made.key })).status === 200)

    // Every store method counted, on every SQLite store of this process (the directory's and the
    // key manager's): the calls pass through to the real store unchanged.
    const calls = new Map<string, number>()
    const originals = new Map<string, (...args: unknown[]) => unknown>()
    for (const name of Object.getOwnPropertyNames(SqliteStore.prototype)) {
      const method = Object.getOwnPropertyDescriptor(SqliteStore.prototype, name)?.value as unknown
      if (name === 'constructor' || typeof method !== 'function') continue
      const original = method as (...args: unknown[]) => unknown
      originals.set(name, original)
      Object.defineProperty(SqliteStore.prototype, name, {
        configurable: true, writable: true,
        value: function counted(this: unknown, ...args: unknown[]) {
          calls.set(name, (calls.get(name) ?? 0) + 1)
          return original.apply(this, args)
        },
      })
    }
    const agent = new http.Agent({ keepAlive: true, maxSockets: 8 })
    const started = Date.now()
    let floodSeconds = 0
    try {
      const statuses = new Map<number, number>()
      let next = 0
      await Promise.all(Array.from({ length: 8 }, async () => {
        while (next < 2000) {
          next++
          const answer = await get('/invoices', { 'x-api-key': generateSecret() }, agent)
          statuses.set(answer.status, (statuses.get(answer.status) ?? 0) + 1)
        }
      }))
      floodSeconds = (Date.now() - started) / 1000
      assert.deepEqual([...statuses], [[401, 2000]], 'every random key refused as invalid, none throttled')
      // The counting does see the directory's store: its next poll shows up.
      await within(REFRESH_SECONDS * 1000 + SLACK_MS, async () => (calls.get('consumerRevision') ?? 0) > 0)
    } finally {
      for (const [name, original] of originals) Object.defineProperty(SqliteStore.prototype, name, { configurable: true, writable: true, value: original })
      agent.destroy()
    }
    const elapsedSeconds = (Date.now() - started) / 1000
    const total = [...calls.values()].reduce((sum, count) => sum + count, 0)
    t.diagnostic(`2000 invalid keys in ${floodSeconds.toFixed(2)} s; ${total} store calls in ${elapsedSeconds.toFixed(2)} s (until the next poll): ${JSON.stringify(Object.fromEntries(calls))}`)
    // A poll reads the revision (and the snapshot only when it moved, which nothing does here);
    // a few more for key-manager maintenance that may fall in the same time.
    const polls = Math.floor(elapsedSeconds / REFRESH_SECONDS) + 1
    assert.ok(total <= 2 * polls + 4, `${total} store calls in ${elapsedSeconds.toFixed(2)} s: more than the refresh explains`)
    assert.equal(calls.get('getApiKey') ?? 0, 0, 'no per-key store lookup')
    assert.equal((await get('/invoices', { 'x-api-key': made.key })).status, 200, 'the stored key still works')
  })
})

describe('KEY-05: failure limit per client address (defaults)', () => {
  let limited: TestGateway
  before(async () => {
    // The test client is 127.0.0.1; as a trusted proxy its X-Forwarded-For names the client, so
    // one test process can speak as many addresses.
    limited = await startGateway(`
forwarding: { trustedProxies: [127.0.0.1] }
consumers:
  - id: billing
    apiKeys: [{ key: "\${env:GH_E2E_BILLING_KEY}" }]
upstreams: { app: { targets: ['${upstream.url}'] } }
routes:
  - { name: orders, paths: [/orders], upstream: app, policies: { api-key: {} } }
  - { name: refunds, paths: [/refunds], upstream: app, policies: { api-key: {} } }
  - { name: quick, paths: [/quick], upstream: app, policies: { api-key: { failureLimit: { maxFailures: 3, windowSeconds: 2 } } } }
`)
  })
  after(async () => {
    await limited?.stop()
  })

  const from = (clientIp: string, target: string, key: string, agent?: http.Agent): Promise<HttpAnswer> =>
    httpRequest(`${limited.url}${target}`, { headers: { 'x-forwarded-for': clientIp, 'x-api-key': key }, agent })

  test('KEY-05: 2 000 random invalid keys from one address: 401 for the first 100, then 429 GH_ERR_AUTH_TOO_MANY_FAILURES with Retry-After, valid key or not', async () => {
    const attacker = '203.0.113.7'
    const seen = upstream.seen.length
    const agent = new http.Agent({ keepAlive: true, maxSockets: 8 })
    const statuses = new Map<number, number>()
    let throttled: HttpAnswer | undefined
    let next = 0
    try {
      await Promise.all(Array.from({ length: 8 }, async () => {
        while (next < 2000) {
          next++
          const answer = await from(attacker, '/orders', generateSecret(), agent)
          statuses.set(answer.status, (statuses.get(answer.status) ?? 0) + 1)
          if (answer.status === 429) throttled = answer
        }
      }))
    } finally {
      agent.destroy()
    }
    assert.deepEqual(Object.fromEntries(statuses), { 401: 100, 429: 1900 })
    assert.ok(throttled !== undefined)
    assert.equal(problemCode(throttled), 'GH_ERR_AUTH_TOO_MANY_FAILURES')
    assert.match(String(throttled.headers['content-type']), /^application\/problem\+json/)
    assert.equal(JSON.parse(throttled.body).status, 429)
    const retryAfter = Number(throttled.headers['retry-after'])
    assert.ok(Number.isInteger(retryAfter) && retryAfter >= 1 && retryAfter <= 60, `Retry-After: ${throttled.headers['retry-after']}`)
    assert.equal(upstream.seen.length, seen, 'nothing reached the upstream')

    const validFromAttacker = await from(attacker, '/orders', BILLING_KEY)
    assert.equal(validFromAttacker.status, 429, 'a valid key from the throttled address is refused too')
    assert.ok(!validFromAttacker.body.includes(BILLING_KEY))
    assert.equal((await from(attacker, '/refunds', BILLING_KEY)).status, 429, 'on every route with the same limit')
    assert.equal(upstream.seen.length, seen)

    const neighbour = await from('203.0.113.8', '/orders', BILLING_KEY)
    assert.equal(neighbour.status, 200, 'another address is unaffected')
    assert.equal(upstream.seen.at(-1)?.headers['x-consumer-id'], 'billing')
    assert.equal((await from('203.0.113.8', '/orders', generateSecret())).status, 401)
  })

  test('KEY-05: once the window ends the address gets through again with a valid key', async () => {
    const source = '198.51.100.20'
    for (let i = 0; i < 3; i++) assert.equal((await from(source, '/quick', generateSecret())).status, 401)
    const throttled = await from(source, '/quick', BILLING_KEY)
    assert.equal(throttled.status, 429)
    const retryAfter = Number(throttled.headers['retry-after'])
    assert.ok(retryAfter >= 1 && retryAfter <= 2, `Retry-After: ${throttled.headers['retry-after']}`)
    await new Promise((resolve) => setTimeout(resolve, retryAfter * 1000 + 50))
    assert.equal((await from(source, '/quick', BILLING_KEY)).status, 200)
  })
})

describe('reload', () => {
  test('a consumer added to the file works after a reload, and the keys of before still do', async () => {
    const newKey = generateSecret()
    process.env.GH_E2E_NEW_KEY = newKey
    await refusedWith('/invoices', { 'x-api-key': newKey }, 401, 'GH_ERR_AUTH_KEY_INVALID', newKey)
    await gw.rewrite(configYaml('  - { id: newcomer, apiKeys: [{ key: "${env:GH_E2E_NEW_KEY}" }] }'))
    const result = await gw.gateway.reload()
    assert.ok(result.ok, result.ok ? '' : result.error.detail)
    assert.equal((await get('/invoices', { 'x-api-key': newKey })).status, 200)
    assert.equal(upstream.seen.at(-1)?.headers['x-consumer-id'], 'newcomer')
    assert.equal((await get('/invoices', { 'x-api-key': BILLING_KEY })).status, 200)
  })
})

function flipAt(key: string, index: number): string {
  const replacement = key[index] === 'A' ? 'B' : 'A'
  return `${key.slice(0, index)}${replacement}${key.slice(index + 1)}`
}

function at(values: number[], quantile: number): number {
  const sorted = [...values].sort((a, b) => a - b)
  return sorted[Math.floor(sorted.length * quantile)]
}
