import assert from 'node:assert/strict'
import { readFileSync, statSync } from 'node:fs'
import { join } from 'node:path'
import { after, before, describe, test } from 'node:test'
import { loadConfigFile, parseConfigText } from '../../src/config/load.ts'
import { redactConfig } from '../../src/config/redact.ts'
import { resolveSecretPepper } from '../../src/config/secret-pepper.ts'
import { generateSecret } from '../../src/keymanager/secrets/generate-secret.ts'
import { SecretHasher } from '../../src/keymanager/secrets/secret-hasher.ts'
import { issuesOf, makeTempDir, yaml, type TempDir } from './config-test-kit.ts'

const PEPPER = 'config-pepper-for-consumer-tests-000001'
const BILLING_KEY = generateSecret()
const SEARCH_KEY = generateSecret()
const ENV = { PEPPER, BILLING_KEY, SEARCH_KEY, ADMIN_TOKEN: 'admin-token-for-consumer-tests' }

const KEY_MANAGER = (extra = ''): string[] => [
  'admin: { token: "${env:ADMIN_TOKEN}" }',
  'keyManager:',
  '  issuer: http://127.0.0.1:8080/oauth2',
  `  store: { path: data/gatehouse.db }${extra}`,
]

const CONSUMERS = [
  'consumers:',
  '  - id: billing',
  '    name: Billing service',
  '    apiKeys:',
  '      - { key: "${env:BILLING_KEY}", label: production }',
  '    clientIds: [billing-web]',
  '  - id: search',
  '    status: suspended',
  '    apiKeys: [{ key: "${env:SEARCH_KEY}" }]',
]

describe('consumers in the config file', () => {
  let tmp: TempDir
  before(async () => { tmp = await makeTempDir() })
  after(() => tmp.remove())

  test('keys are replaced by their HMAC-SHA-256 digest under keyManager.secretPepper, as SecretHasher computes it', async () => {
    const file = await tmp.write('pepper/gatehouse.yaml', yaml('listeners: [{ name: a, port: 0 }]', ...KEY_MANAGER(), '  secretPepper: "${env:PEPPER}"', ...CONSUMERS))
    const config = await loadConfigFile(file, { env: ENV })
    const hasher = new SecretHasher(PEPPER)
    assert.deepEqual(config.consumers, [
      { id: 'billing', name: 'Billing service', status: 'active', apiKeys: [{ digest: hasher.digest(BILLING_KEY), label: 'production' }], clientIds: ['billing-web'] },
      { id: 'search', name: 'search', status: 'suspended', apiKeys: [{ digest: hasher.digest(SEARCH_KEY), label: '' }], clientIds: [] },
    ])
    assert.equal(config.consumerRefreshSeconds, 5)
  })

  test('KEY-01 / KEY-08: no key is kept in the loaded config, and redactConfig shows neither keys nor digests', async () => {
    const file = await tmp.write('redact/gatehouse.yaml', yaml('listeners: [{ name: a, port: 0 }]', ...KEY_MANAGER(), '  secretPepper: "${env:PEPPER}"', ...CONSUMERS))
    const config = await loadConfigFile(file, { env: ENV })
    const loaded = JSON.stringify(config)
    const shown = JSON.stringify(redactConfig(config))
    for (const key of [BILLING_KEY, SEARCH_KEY]) {
      assert.ok(!loaded.includes(key), 'the loaded config holds no key')
      assert.ok(!shown.includes(key), 'the redacted config holds no key')
      assert.ok(!shown.includes(new SecretHasher(PEPPER).digest(key)), 'the redacted config holds no digest')
    }
    assert.ok(!shown.includes(PEPPER))
    assert.deepEqual(redactConfig(config).consumers[0].apiKeys, [{ digest: '***', label: 'production' }])
    assert.notEqual(config.consumers[0].apiKeys[0].digest, '***', 'redaction leaves the loaded config alone')
  })

  test('without secretPepper the pepper file beside the SQLite store is created once (0600) and reused', async () => {
    const file = await tmp.write('file-pepper/gatehouse.yaml', yaml('listeners: [{ name: a, port: 0 }]', ...KEY_MANAGER(), ...CONSUMERS))
    const first = await loadConfigFile(file, { env: ENV })
    const pepperPath = join(tmp.dir, 'file-pepper', 'data', 'gatehouse.db.pepper')
    assert.equal(statSync(pepperPath).mode & 0o777, 0o600)
    const pepper = readFileSync(pepperPath, 'utf8').trim()
    assert.match(pepper, /^[A-Za-z0-9_-]{43}$/)
    assert.equal(first.consumers[0].apiKeys[0].digest, new SecretHasher(pepper).digest(BILLING_KEY))
    const again = await loadConfigFile(file, { env: ENV })
    assert.deepEqual(again.consumers, first.consumers)
    assert.equal(first.keyManager && resolveSecretPepper(first.keyManager), pepper, 'the gateway and the CLI resolve the same pepper')
  })

  test('without a key manager the keys are digested with one pepper for the whole process', async () => {
    const text = yaml('listeners: [{ name: a, port: 0 }]', ...CONSUMERS)
    const one = parseConfigText(text, join(tmp.dir, 'a.yaml'), { env: ENV })
    const two = parseConfigText(text, join(tmp.dir, 'b.yaml'), { env: ENV })
    assert.deepEqual(one.consumers, two.consumers)
    assert.equal(one.consumers[0].apiKeys[0].digest, new SecretHasher(resolveSecretPepper(null)).digest(BILLING_KEY))
  })

  test('CFG-09: a missing key variable is GH_ERR_CONFIG_ENV_MISSING, and a bad key is reported without its value', async () => {
    const missing = await issuesOf(() => parseConfigText(yaml('listeners: [{ name: a, port: 0 }]', ...CONSUMERS), join(tmp.dir, 'c.yaml'), { env: { BILLING_KEY } }))
    assert.deepEqual(missing.map((issue) => [issue.code, issue.path]), [['GH_ERR_CONFIG_ENV_MISSING', 'consumers[1].apiKeys[0].key']])
    const shortKey = 'short key!'
    const bad = await issuesOf(() => parseConfigText(yaml('listeners: [{ name: a, port: 0 }]', ...CONSUMERS), join(tmp.dir, 'd.yaml'), { env: { BILLING_KEY: shortKey, SEARCH_KEY } }))
    assert.ok(bad.length >= 1)
    for (const issue of bad) {
      assert.equal(issue.path, 'consumers[0].apiKeys[0].key')
      assert.ok(!issue.message.includes(shortKey), issue.message)
    }
  })

  test('refuses an id, a key or a client id used twice, naming places and never the key', async () => {
    const issues = await issuesOf(() => parseConfigText(yaml(
      'listeners: [{ name: a, port: 0 }]',
      'consumers:',
      '  - { id: billing, apiKeys: [{ key: "${env:BILLING_KEY}" }], clientIds: [web] }',
      '  - { id: billing }',
      '  - { id: other, apiKeys: [{ key: "${env:BILLING_KEY}" }], clientIds: [web] }',
      '  - { id: "bad id" }',
    ), join(tmp.dir, 'e.yaml'), { env: ENV }))
    assert.deepEqual(issues.map((issue) => `${issue.path}: ${issue.message}`), [
      'consumers[1].id: consumer id "billing" is already used by consumers[0]',
      'consumers[2].apiKeys[0].key: the same key is already given at consumers[0].apiKeys[0]',
      'consumers[2].clientIds[0]: client id "web" already belongs to consumer "billing"',
      'consumers[3].id: must be 1-64 letters, digits, ".", "_" or "-", starting with a letter or digit',
    ])
    assert.ok(issues.every((issue) => !issue.message.includes(BILLING_KEY)))
  })
})
