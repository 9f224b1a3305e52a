import assert from 'node:assert/strict'
import { describe, test } from 'node:test'
import { join } from 'node:path'
import { tmpdir } from 'node:os'
import { formatConfigIssues } from '../../src/config/issues.ts'
import { parseConfigText } from '../../src/config/load.ts'
import type { PolicyRegistry } from '../../src/config/policies.ts'
import type { PolicyDefinition } from '../../src/kit/policy.ts'
import { issuesOf, onlyIssue, yaml } from './config-test-kit.ts'

const FILE = join(tmpdir(), 'gatehouse-env-test.yaml')
const parse = (text: string, env: Record<string, string | undefined>, policies: PolicyRegistry = {}) => parseConfigText(text, FILE, { env, policies })

const TOKEN = 'token-from-the-environment-1234'

describe('${env:NAME} substitution', () => {
  test('whole and embedded references are replaced; an unquoted whole reference keeps its YAML type', () => {
    const config = parse(yaml(
      'listeners:',
      '  - name: ${env:LISTENER}',
      '    port: ${env:PORT}',
      'admin:',
      '  token: "${env:TOKEN}"',
      'upstreams:',
      '  u: { targets: ["http://${env:UPSTREAM_HOST}:3000"] }',
      'forwarding:',
      '  via: ${env:VIA}',
    ), { LISTENER: 'edge', PORT: '8081', TOKEN, UPSTREAM_HOST: '10.1.2.3', VIA: 'false' })
    assert.equal(config.listeners[0].name, 'edge')
    assert.equal(config.listeners[0].port, 8081)
    assert.equal(config.admin.token, TOKEN)
    assert.equal(config.upstreams.u.targets[0].url, 'http://10.1.2.3:3000')
    assert.equal(config.forwarding.via, false)
  })

  test('a quoted reference stays a string, so the schema sees the type the file asked for', async () => {
    const issue = onlyIssue(await issuesOf(() => parse(yaml('listeners: [{ name: a, port: "${env:PORT}" }]'), { PORT: '8081' })), 'GH_ERR_CONFIG_INVALID')
    assert.deepEqual([issue.path, issue.message], ['listeners[0].port', 'must be an integer'])
  })

  test('$${env:NAME} is the literal text ${env:NAME}', () => {
    const config = parse(yaml('listeners: [{ name: a, port: 1 }]', 'observability: { accessLog: { destination: "/var/log/$${env:HOME}.log" } }'), {})
    assert.equal(config.observability.accessLog.destination, '/var/log/${env:HOME}.log')
  })

  test('CFG-09: an unset variable is GH_ERR_CONFIG_ENV_MISSING naming it and the path, never an empty value', async () => {
    const text = yaml('listeners: [{ name: a, port: 1 }]', 'admin:', '  token: ${env:GATEHOUSE_MISSING_TOKEN}')
    const issues = await issuesOf(() => parse(text, {}))
    assert.deepEqual(issues, [{
      code: 'GH_ERR_CONFIG_ENV_MISSING', file: FILE, line: 3, column: 10, path: 'admin.token',
      message: 'environment variable GATEHOUSE_MISSING_TOKEN is not set (referenced by admin.token)',
    }])
  })

  test('CFG-09: a variable set to the empty string is refused too', async () => {
    const issue = onlyIssue(await issuesOf(() => parse(yaml('listeners: [{ name: "x${env:EMPTY}", port: 1 }]'), { EMPTY: '' })), 'GH_ERR_CONFIG_ENV_MISSING')
    assert.equal(issue.message, 'environment variable EMPTY is set but empty (referenced by listeners[0].name)')
  })

  test('a malformed reference is reported', async () => {
    const issue = onlyIssue(await issuesOf(() => parse(yaml('listeners: [{ name: "${env:BAD-NAME}", port: 1 }]'), {})), 'GH_ERR_CONFIG_INVALID')
    assert.equal(issue.path, 'listeners[0].name')
    assert.match(issue.message, /not a valid environment reference/)
  })

  test('CFG-09: a secret from the environment that fails validation is never echoed', async () => {
    const secret = 'hunter2-secret'
    const leaky: PolicyDefinition<{ password: string }> = {
      name: 'leaky',
      description: 'A policy whose check() repeats the value it dislikes.',
      schema: { type: 'object', additionalProperties: false, properties: { password: { type: 'string' } } },
      check: (settings) => (settings.password.length < 20 ? [`password "${settings.password}" is shorter than 20 characters`] : []),
      create: () => ({}),
    }
    const text = yaml(
      'listeners: [{ name: a, port: 1 }]',
      'admin: { host: 0.0.0.0, token: "${env:SHORT_TOKEN}" }',
      'upstreams: { u: { targets: ["http://user:${env:SECRET}@10.0.0.1"] } }',
      'policies:',
      '  leaky: { password: "${env:SECRET}" }',
    )
    const issues = await issuesOf(() => parse(text, { SECRET: secret, SHORT_TOKEN: 'abc123secret' }, { leaky }))
    assert.deepEqual(issues.map((issue) => issue.path), ['admin.token', 'upstreams.u.targets[0]', 'policies.leaky'])
    assert.equal(issues[2].message, 'password "***" is shorter than 20 characters')
    const shown = formatConfigIssues(issues)
    assert.ok(!shown.includes(secret) && !shown.includes('abc123secret'), shown)
  })

  test('values without a reference are untouched', () => {
    const config = parse(yaml('listeners: [{ name: a, port: 1 }]', 'observability: { accessLog: { destination: "/logs/$a{env}$${x}.log" } }'), {})
    assert.equal(config.observability.accessLog.destination, '/logs/$a{env}$${x}.log')
  })
})
