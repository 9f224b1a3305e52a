import assert from 'node:assert/strict'
import { describe, test } from 'node:test'
import { join } from 'node:path'
import { tmpdir } from 'node:os'
import { parseConfigText } from '../../src/config/load.ts'
import type { PolicyRegistry } from '../../src/config/policies.ts'
import type { PolicyDefinition } from '../../src/kit/policy.ts'
import { issuesOf, MINIMAL, onlyIssue, yaml } from './config-test-kit.ts'

interface RateLimitSettings {
  limit: number
  windowMs: number
  by: 'ip' | 'consumer'
}

let compiledSchemaReads = 0

// A stand-in policy, so these tests do not depend on which built-in policies exist.
const rateLimit: PolicyDefinition<RateLimitSettings> = {
  name: 'rate-limit',
  description: 'Counts requests per window.',
  schema: {
    type: 'object',
    additionalProperties: false,
    required: ['limit'],
    properties: {
      limit: { type: 'integer', exclusiveMinimum: 0, description: 'Requests per window.' },
      windowMs: { type: 'integer', minimum: 1, default: 60000, description: 'Window length.' },
      by: { type: 'string', enum: ['ip', 'consumer'], default: 'ip', description: 'What is counted.' },
    },
  },
  check: (settings) => (settings.by === 'consumer' && settings.windowMs < 1000 ? ['windowMs must be at least 1000 when counting by consumer'] : []),
  create: () => ({}),
}

const marker: PolicyDefinition<{ tag: string }> = {
  name: 'marker',
  description: 'Has only defaults.',
  schema: { type: 'object', additionalProperties: false, properties: { tag: { type: 'string', default: 'm' } } },
  create: () => ({}),
}

// Counts how often ajv reads the schema's `properties`, to show it is compiled once, not per load.
const counted: PolicyDefinition<unknown> = {
  name: 'counted',
  description: 'Counts schema compilations.',
  schema: { type: 'object', get properties() { compiledSchemaReads++; return {} } },
  create: () => ({}),
}

const REGISTRY = { 'rate-limit': rateLimit, marker, counted } as PolicyRegistry
const FILE = join(tmpdir(), 'gatehouse-policies-test.yaml')
const parse = (text: string) => parseConfigText(text, FILE, { env: {}, policies: REGISTRY })

const ROUTES = (policyLines: string[]) => MINIMAL + yaml(
  'upstreams: { u: { targets: [http://127.0.0.1:1] } }',
  'routes:',
  '  - path: /a',
  '    upstream: u',
  '    policies:',
  ...policyLines,
)

describe('policy settings', () => {
  test('settings are validated by the policy schema and get its defaults, globally and per route', () => {
    const config = parse(ROUTES(['      rate-limit: { limit: 5 }', '      marker:']) + yaml('policies:', '  rate-limit: { limit: 100, by: consumer }'))
    assert.deepEqual(config.routes[0].policies, { 'rate-limit': { limit: 5, windowMs: 60000, by: 'ip' }, marker: { tag: 'm' } })
    assert.deepEqual(config.policies, { 'rate-limit': { limit: 100, windowMs: 60000, by: 'consumer' } })
  })

  test('a schema violation is reported at the setting with its line and column', async () => {
    const issues = await issuesOf(() => parse(ROUTES(['      rate-limit:', '        limit: 0'])))
    const issue = onlyIssue(issues, 'GH_ERR_CONFIG_INVALID')
    assert.deepEqual([issue.path, issue.line, issue.column, issue.message], ['routes[0].policies.rate-limit.limit', 10, 16, 'must be > 0'])
  })

  test('a policy written without settings is checked with {} and its issues point at its key', async () => {
    const issue = onlyIssue(await issuesOf(() => parse(ROUTES(['      rate-limit:']))), 'GH_ERR_CONFIG_INVALID')
    assert.deepEqual([issue.path, issue.line, issue.column, issue.message], ['routes[0].policies.rate-limit.limit', 9, 7, 'is required'])
  })

  test('CFG-01: an unknown policy is GH_ERR_CONFIG_UNKNOWN_FIELD at its key, with a suggestion', async () => {
    const issue = onlyIssue(await issuesOf(() => parse(ROUTES(['      rate_limt: { limit: 5 }']))), 'GH_ERR_CONFIG_UNKNOWN_FIELD')
    assert.deepEqual([issue.path, issue.line, issue.column], ['routes[0].policies.rate_limt', 9, 7])
    assert.equal(issue.message, 'unknown policy "rate_limt" (did you mean "rate-limit"?)')
  })

  test('CFG-01: an unknown setting inside a policy is GH_ERR_CONFIG_UNKNOWN_FIELD', async () => {
    const issue = onlyIssue(await issuesOf(() => parse(ROUTES(['      rate-limit: { limit: 5, windowMS: 10 }']))), 'GH_ERR_CONFIG_UNKNOWN_FIELD')
    assert.deepEqual([issue.path, issue.message], ['routes[0].policies.rate-limit.windowMS', 'unknown field "windowMS" (did you mean "windowMs"?)'])
  })

  test('check() messages are GH_ERR_CONFIG_INVALID at the policy', async () => {
    const issue = onlyIssue(await issuesOf(() => parse(yaml('listeners: [{ name: a, port: 1 }]', 'policies:', '  rate-limit: { limit: 1, by: consumer, windowMs: 10 }'))), 'GH_ERR_CONFIG_INVALID')
    assert.deepEqual([issue.path, issue.line, issue.message], ['policies.rate-limit', 3, 'windowMs must be at least 1000 when counting by consumer'])
  })

  test('settings that are not an object are refused by the config schema', async () => {
    const issue = onlyIssue(await issuesOf(() => parse(ROUTES(['      marker: [1]']))), 'GH_ERR_CONFIG_INVALID')
    assert.deepEqual([issue.path, issue.message], ['routes[0].policies.marker', 'must be an object or null'])
  })

  test('a policy schema is compiled once, not on every load', () => {
    parse(ROUTES(['      counted: {}']))
    const afterFirst = compiledSchemaReads
    assert.ok(afterFirst > 0)
    parse(ROUTES(['      counted: {}']))
    parse(ROUTES(['      counted: {}']))
    assert.equal(compiledSchemaReads, afterFirst)
  })
})
