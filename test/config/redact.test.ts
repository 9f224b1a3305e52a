import assert from 'node:assert/strict'
import { describe, test } from 'node:test'
import { join } from 'node:path'
import { tmpdir } from 'node:os'
import { parseConfigText } from '../../src/config/load.ts'
import type { PolicyRegistry } from '../../src/config/policies.ts'
import { redactConfig } from '../../src/config/redact.ts'
import { yaml } from './config-test-kit.ts'

const openSettings = { name: 'open', description: 'Accepts any settings.', schema: { type: 'object' }, create: () => ({}) }
const REGISTRY: PolicyRegistry = { 'key-auth': { ...openSettings, name: 'key-auth' }, jwt: { ...openSettings, name: 'jwt' } }

describe('redactConfig', () => {
  const config = parseConfigText(yaml(
    'listeners: [{ name: a, port: 0 }]',
    'admin: { token: "${env:ADMIN_TOKEN}" }',
    'upstreams: { u: { targets: [http://127.0.0.1:1] } }',
    'policies:',
    '  key-auth: { header: x-api-key, keys: [k-one, k-two], hideCredentials: true }',
    'routes:',
    '  - path: /a',
    '    upstream: u',
    '    policies:',
    '      jwt: { issuer: https://id.example, clientSecret: s3cr3t, signing: { privateKey: pem-text, algorithm: RS256 }, providers: [{ password: pw }] }',
  ), join(tmpdir(), 'gatehouse-redact.yaml'), { env: { ADMIN_TOKEN: 'admin-token-0123456789' }, policies: REGISTRY })

  test('KEY-08: the admin token and secret-named policy settings become "***"', () => {
    const shown = redactConfig(config)
    assert.equal(shown.admin.token, '***')
    assert.deepEqual(shown.policies, { 'key-auth': { header: 'x-api-key', keys: '***', hideCredentials: true } })
    assert.deepEqual(shown.routes[0].policies, {
      jwt: { issuer: 'https://id.example', clientSecret: '***', signing: { privateKey: '***', algorithm: 'RS256' }, providers: [{ password: '***' }] },
    })
    const text = JSON.stringify(shown)
    for (const secret of ['admin-token-0123456789', 'k-one', 's3cr3t', 'pem-text', '"pw"']) assert.ok(!text.includes(secret), secret)
  })

  test('the loaded config itself is left unchanged', () => {
    redactConfig(config)
    assert.equal(config.admin.token, 'admin-token-0123456789')
    assert.deepEqual((config.policies['key-auth'] as { keys: string[] }).keys, ['k-one', 'k-two'])
  })

  test('a config without a token keeps admin.token absent', () => {
    const plain = parseConfigText('listeners: [{ name: a, port: 0 }]\n', join(tmpdir(), 'g.yaml'), { env: {}, policies: {} })
    assert.equal('token' in redactConfig(plain).admin, false)
  })
})
