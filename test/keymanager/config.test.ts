// The `keyManager` config section: defaults, the derived issuer, and the checks across sections.
import assert from 'node:assert/strict'
import { mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { after, before, describe, test } from 'node:test'
import { parseConfigText } from '../../src/config/load.ts'
import { redactConfig } from '../../src/config/redact.ts'
import { issuesOf } from '../config/config-test-kit.ts'

describe('keyManager config', () => {
  let dir: string
  before(async () => { dir = await mkdtemp(join(tmpdir(), 'gatehouse-km-config-')) })
  after(() => rm(dir, { recursive: true, force: true }))
  const load = (text: string, env: Record<string, string> = {}) => parseConfigText(text, join(dir, 'gatehouse.yaml'), { env, policies: {} })
  const LISTENER = 'listeners: [{ name: main, port: 8080 }]\n'

  test('absent: the key manager is off', () => {
    assert.equal(load(LISTENER).keyManager, null)
  })

  test('every default, with the issuer derived from the first listener and admin.token as the registry credential', () => {
    const config = load(`${LISTENER}admin: { token: admin-token-0123456789 }\nkeyManager: {}\n`)
    assert.deepEqual(config.keyManager, {
      issuer: 'http://localhost:8080/oauth2',
      basePath: '/oauth2',
      store: { type: 'sqlite', path: join(dir, '.gatehouse', 'gatehouse.db') },
      secretPepper: null,
      signing: { algorithm: 'ES256', rotationDays: 90, publishAheadSeconds: 3600 },
      tokens: { accessTokenTtlSeconds: 3600, refreshTokenTtlSeconds: 2_592_000, persist: false, audience: ['http://localhost:8080/oauth2'] },
      passwordHashing: { N: 16384, r: 8, p: 1 },
      assertions: { maxLifetimeSeconds: 300, clockSkewSeconds: 30 },
      trustedIssuers: [],
      adminToken: 'admin-token-0123456789',
      throttle: { maxFailures: 10, windowSeconds: 60 },
    })
  })

  test('the derived issuer follows the listener: its host, its port unless it is the default one, then the base path', () => {
    const explicit = load('listeners: [{ name: a, host: 10.0.0.5, port: 443 }]\nkeyManager: { adminToken: admin-token-0123456789, basePath: /auth/v1 }\n')
    assert.equal(explicit.keyManager?.issuer, 'http://10.0.0.5:443/auth/v1')
    const v6 = load('listeners: [{ name: a, host: "::1", port: 80 }]\nkeyManager: { adminToken: admin-token-0123456789 }\n')
    assert.equal(v6.keyManager?.issuer, 'http://[::1]/oauth2')
  })

  test('secrets may come from the environment and are redacted', () => {
    const config = load(`${LISTENER}keyManager:\n  adminToken: \${env:KM_ADMIN}\n  secretPepper: \${env:KM_PEPPER}\n`, { KM_ADMIN: 'registry-token-0123456789', KM_PEPPER: 'p'.repeat(40) })
    assert.equal(config.keyManager?.secretPepper, 'p'.repeat(40))
    const shown = redactConfig(config)
    assert.equal(shown.keyManager?.adminToken, '***')
    assert.equal(shown.keyManager?.secretPepper, '***')
  })

  test('problems are reported at their place in the file', async () => {
    const text = [
      'workers: 2',
      'listeners: [{ name: main, port: 0 }]',
      'keyManager:',
      '  store: { type: memory }',
      '  secretPepper: too-short',
      '  passwordHashing: { N: 3000 }',
      '  signing: { rotationDays: 1, publishAheadSeconds: 86400 }',
      '  trustedIssuers:',
      '    - { issuer: https://a.example }',
      '    - { issuer: https://b.example, jwksUri: "https://user:pw@b.example/jwks" }',
      '    - { issuer: https://c.example, certificates: { k1: missing.pem } }',
    ].join('\n')
    const issues = await issuesOf(() => load(text))
    const found = issues.map((issue) => `${issue.line} ${issue.path}: ${issue.code}`)
    assert.deepEqual(found, ['5 keyManager.secretPepper: GH_ERR_CONFIG_INVALID'], 'schema issues first: the cross-section checks wait until the section is clean')
    const crossIssues = await issuesOf(() => load(text.replace('  secretPepper: too-short\n', '')))
    const messages = crossIssues.map((issue) => `${issue.path}: ${issue.message}`)
    assert.ok(messages.some((m) => /^keyManager\.issuer: is required: the first listener \("main"\) has port 0/.test(m)), messages.join('\n'))
    assert.ok(messages.some((m) => /^keyManager\.store\.type: the memory store lives inside one process/.test(m)))
    assert.ok(messages.some((m) => /^keyManager\.passwordHashing\.N: must be a power of two/.test(m)))
    assert.ok(messages.some((m) => /^keyManager\.signing\.publishAheadSeconds: must be shorter than signing\.rotationDays/.test(m)))
    assert.ok(messages.some((m) => /^keyManager\.trustedIssuers\[0\]: give exactly one of jwksUri and certificates/.test(m)))
    assert.ok(messages.some((m) => /^keyManager\.trustedIssuers\[1\]\.jwksUri: must not contain credentials/.test(m)))
    assert.ok(messages.some((m) => /^keyManager\.trustedIssuers\[2\]\.certificates\.k1: key file ".*missing\.pem" does not exist/.test(m)))
    const admin = crossIssues.find((issue) => issue.code === 'GH_ERR_CONFIG_ADMIN_UNPROTECTED')
    assert.equal(admin?.path, 'keyManager')
  })

  test('an issuer with a query, and a base path with a trailing slash, are refused', async () => {
    const issues = await issuesOf(() => load(`${LISTENER}keyManager: { adminToken: admin-token-0123456789, issuer: "https://as.example/o?x=1", basePath: /oauth2/ }\n`))
    assert.deepEqual(issues.map((issue) => issue.path).sort(), ['keyManager.basePath'])
    const query = await issuesOf(() => load(`${LISTENER}keyManager: { adminToken: admin-token-0123456789, issuer: "https://as.example/o?x=1" }\n`))
    assert.deepEqual(query.map((issue) => [issue.path, issue.message]), [['keyManager.issuer', 'must not have a query or fragment']])
  })

  test('trusted issuer certificate paths are resolved against the config file', async () => {
    await writeFile(join(dir, 'partner.pem'), 'placeholder, parsed when the key manager opens')
    const config = load(`${LISTENER}keyManager:\n  adminToken: admin-token-0123456789\n  trustedIssuers: [{ issuer: https://p.example, certificates: { k1: partner.pem } }]\n`)
    assert.deepEqual(config.keyManager?.trustedIssuers, [{ issuer: 'https://p.example', certificates: { k1: join(dir, 'partner.pem') }, audience: [] }])
  })
})
