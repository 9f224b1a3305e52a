import assert from 'node:assert/strict'
import { test } from 'node:test'
import { toJsonLine } from '../../lib/json-line.ts'
import type { MeasuredSample } from '../../lib/measured-rounds.ts'
import type { WrkResult } from '../../lib/wrk-parse.ts'
import { baseGatehouseConfig } from '../../lib/gatehouse.ts'
import { PREFIXES, securityGatehouseConfig } from './gateway.ts'
import { buildReport, formatReport, reportJson, SECURITY_TARGETS } from './report.ts'
import { freshTokenScript, reusedTokenScript } from './wrk-scripts.ts'

function result(rps: number, non2xx3xx = 0): WrkResult {
  return {
    requests: rps * 5, durationS: 5, rps, latencyAvgMs: 1, latencyMaxMs: 9, percentilesMs: { 50: 1, 99: 9 }, p50Ms: 1, p99Ms: 9,
    non2xx3xx, socketErrors: { connect: 0, read: 0, write: 0, timeout: 0 },
  }
}

// Round 2 runs at half speed (drift): same-round ratios do not move, nor does CPU per request.
// The gateway spends 100 µs per passthrough request and more on the others.
const CPU_US: Record<string, number> = { passthrough: 100, 'api-key': 104, 'oauth-reused': 110, 'oauth-fresh': 250 }
const samples: MeasuredSample[] = [1, 2, 3].flatMap((round) => {
  const speed = round === 2 ? 0.5 : 1
  const rows: Array<[string, number]> = [['direct', 50000], ['passthrough', 10000], ['api-key', 9700], ['oauth-reused', 8800], ['oauth-fresh', 4000]]
  return rows.map(([target, rps]) => {
    const r = result(rps * speed)
    const cpu = CPU_US[target]
    return cpu === undefined ? { target, connections: 64, round, result: r } : { target, connections: 64, round, result: r, cpuSeconds: (cpu * r.requests) / 1e6 }
  })
})

test('ratios to passthrough are medians of same-round pairs; the bars judge them at c64', () => {
  const report = buildReport(samples, SECURITY_TARGETS, [64])
  assert.equal(report.ratios.get('api-key/passthrough@c64'), 0.97)
  assert.equal(report.ratios.get('oauth-reused/passthrough@c64'), 0.88)
  assert.equal(report.ratios.get('passthrough/direct@c64'), 0.2)
  assert.equal(report.figures.get('oauth-fresh@c64')?.cpuUs, 250)
  assert.ok(Number.isNaN(report.figures.get('direct@c64')?.cpuUs), 'the upstream\'s CPU is not the gateway\'s')
  assert.ok(Math.abs((report.cpuRatios.get('api-key/passthrough@c64') ?? 0) - 100 / 104) < 1e-9)
  assert.equal(report.cpuRatios.get('oauth-fresh/passthrough@c64'), 0.4)
  assert.equal(report.cpuRatios.has('passthrough/direct@c64'), false)
  assert.deepEqual(report.bars.map((b) => [b.key, b.status]), [
    ['api-key/passthrough@c64', 'PASS'],
    ['oauth-reused/passthrough@c64', 'FAIL'],
    ['gateway/errors', 'PASS'],
  ])
})

test('each ratio comes with the lowest and highest same-round ratio, so a median inside a wide range shows as such', () => {
  // Round 3's api-key row ran faster relative to its passthrough: the median stays, the range widens.
  // Round 3's oauth-reused row reached 0.92: above its bar, while the median stays below it.
  const varied = samples.map((s) => (s.round !== 3 ? s : s.target === 'api-key' ? { ...s, result: result(9900) } : s.target === 'oauth-reused' ? { ...s, result: result(9200) } : s))
  const report = buildReport(varied, SECURITY_TARGETS, [64])
  assert.equal(report.ratios.get('api-key/passthrough@c64'), 0.97)
  assert.deepEqual(report.ratioRanges.get('api-key/passthrough@c64'), { low: 0.97, high: 0.99 })
  const printed = formatReport(report)
  assert.match(printed, /api-key\/passthrough, rounds\s+0\.97–0\.99/)
  assert.match(printed, /oauth-reused ≥ 0\.9× passthrough req\/s\s+0\.88\s+FAIL\s+rounds 0\.88–0\.92: on both sides\n/)
  assert.match(printed, /api-key ≥ 0\.95× passthrough req\/s\s+0\.97\s+PASS\n/, 'a bar whose rounds all passed carries no remark')
  const parsed = JSON.parse(toJsonLine(reportJson(report, { upstream: 'nginx', pinning: null, durationS: 5, rounds: 3, warmupS: 0, loadAvg1m: 0, freshTokens: 1, reuse: 50, algorithm: 'ES256', skipped: {} }))) as Record<string, Record<string, unknown>>
  assert.deepEqual(parsed.ratio_ranges['api-key/passthrough@c64'], [0.97, 0.99])
  const withoutKeys = buildReport(varied.filter((s) => s.target !== 'api-key'), ['direct', 'passthrough', 'oauth-reused'], [64])
  assert.equal(withoutKeys.ratioRanges.has('api-key/passthrough@c64'), false, 'no range for a row that did not run')
})

test('failed requests of any gateway row fail the error bar; a missing row leaves its bar n/a', () => {
  const failing = samples.map((s) => (s.target === 'oauth-reused' && s.round === 1 ? { ...s, result: result(8800, 3) } : s))
  assert.equal(buildReport(failing, SECURITY_TARGETS, [64]).bars[2].status, 'FAIL')
  const withoutKeys = buildReport(samples.filter((s) => s.target !== 'api-key'), ['direct', 'passthrough', 'oauth-reused'], [64])
  assert.equal(withoutKeys.bars[0].status, 'n/a')
})

test('--json is one line with the documented members', () => {
  const report = buildReport(samples, SECURITY_TARGETS, [64])
  const line = toJsonLine(reportJson(report, { upstream: 'nginx', pinning: { proxyCpu: 0, loadCpu: 1 }, durationS: 5, rounds: 3, warmupS: 2, loadAvg1m: 0.1, freshTokens: 12000, reuse: 50, algorithm: 'ES256', skipped: {} }))
  assert.equal(line.includes('\n'), false)
  const parsed = JSON.parse(line) as Record<string, Record<string, unknown>>
  assert.equal(parsed.scenario as unknown, 'security')
  assert.deepEqual(parsed.targets['oauth-fresh@c64'], { rps: 4000, p50_ms: 1, p99_ms: 9, errors: 0, cpu_us_per_request: 250 })
  assert.equal((parsed.targets['direct@c64'] as Record<string, unknown>).cpu_us_per_request, null)
  assert.equal(parsed.cpu_ratios['oauth-reused/passthrough@c64'], 0.909)
  assert.equal(parsed.ratios['oauth-fresh/passthrough@c64'], 0.4)
  assert.equal(parsed.settings.signing_algorithm, 'ES256')
  assert.match(formatReport(report), /oauth-reused ≥ 0\.9× passthrough req\/s\s+0\.88\s+FAIL/)
})

test('the printed report, to the character: figures with the gateway\'s CPU, ratios by req/s and by CPU, bars', () => {
  assert.equal(formatReport(buildReport(samples, SECURITY_TARGETS, [64])), [
    '64 connections',
    'target        req/s  p50 ms  p99 ms  errors  gateway CPU µs/req',
    'direct        50000    1.00    9.00       0                   -',
    'passthrough   10000    1.00    9.00       0               100.0',
    'api-key        9700    1.00    9.00       0               104.0',
    'oauth-reused   8800    1.00    9.00       0               110.0',
    'oauth-fresh    4000    1.00    9.00       0               250.0',
    '',
    'ratios of req/s (medians of same-round pairs, then lowest–highest round), and of CPU per request inverted',
    '                                        c64',
    'api-key/passthrough                    0.97',
    'oauth-reused/passthrough               0.88',
    'oauth-fresh/passthrough                0.40',
    'passthrough/direct                     0.20',
    'api-key/passthrough, rounds       0.97–0.97',
    'oauth-reused/passthrough, rounds  0.88–0.88',
    'oauth-fresh/passthrough, rounds   0.40–0.40',
    'passthrough/direct, rounds        0.20–0.20',
    'api-key/passthrough by CPU             0.96',
    'oauth-reused/passthrough by CPU        0.91',
    'oauth-fresh/passthrough by CPU         0.40',
    '',
    'bars (req/s at c64; failed requests over all runs)',
    '                                       value',
    'api-key ≥ 0.95× passthrough req/s       0.97  PASS',
    'oauth-reused ≥ 0.9× passthrough req/s   0.88  FAIL',
    'gateway failed requests = 0                0  PASS',
  ].join('\n'))
})

test('the JSON members and their order, and the settings with the scenario\'s own last', () => {
  const report = buildReport(samples, SECURITY_TARGETS, [64])
  const parsed = JSON.parse(toJsonLine(reportJson(report, { upstream: 'node', pinning: null, durationS: 5, rounds: 3, warmupS: 0, loadAvg1m: 2.345, freshTokens: 200, reuse: 50, algorithm: 'RS256', skipped: { 'api-key': 'no' } }))) as Record<string, Record<string, unknown>>
  assert.deepEqual(Object.keys(parsed), ['scenario', 'targets', 'ratios', 'ratio_ranges', 'cpu_ratios', 'bars', 'skipped', 'settings'])
  assert.deepEqual(Object.keys(parsed.ratio_ranges), Object.keys(parsed.ratios))
  assert.deepEqual(Object.keys(parsed.targets), SECURITY_TARGETS.map((t) => `${t}@c64`))
  assert.deepEqual(Object.keys(parsed.ratios), ['api-key/passthrough@c64', 'oauth-reused/passthrough@c64', 'oauth-fresh/passthrough@c64', 'passthrough/direct@c64'])
  assert.deepEqual(Object.keys(parsed.cpu_ratios), ['api-key/passthrough@c64', 'oauth-reused/passthrough@c64', 'oauth-fresh/passthrough@c64'])
  assert.deepEqual(parsed.skipped, { 'api-key': 'no' })
  assert.deepEqual(parsed.settings, { upstream: 'node', pinning: null, duration_s: 5, rounds: 3, warmup_s: 0, load_avg_1m: 2.35, connections: [64], fresh_tokens: 200, token_reuse: 50, signing_algorithm: 'RS256' })
})

test('the Lua scripts quote what they embed and format requests once wrk knows the host', () => {
  const reused = reusedTokenScript({ apiPath: '/oauth/v1/data', tokenPath: '/oauth2/token', authorization: 'Basic a]]b' })
  assert.match(reused, /\[=\[Basic a\]\]b\]=\]/, 'a long bracket that the text cannot close')
  assert.match(reused, /function init\(args\)\n {2}token_request = wrk\.format\("POST"/)
  assert.match(reused, /sent % 51 == 0/)
  const fresh = freshTokenScript({ apiPath: '/oauth/v1/data', tokensFile: '/tmp/t.txt', stateFile: '/tmp/p' })
  assert.match(fresh, /io\.lines\(\[\[\/tmp\/t\.txt\]\]\)/)
  assert.match(fresh, /threads\[1\]:get\("position"\)/)
})

test('the gateway config: the base, a consumer with the API key, the key manager and one route per profile', () => {
  const options = { port: 1, adminPort: 2, upstreamUrl: 'http://127.0.0.1:3', accessLogFile: 'access.log', apiKey: 'k', adminToken: 't', algorithm: 'RS256' } as const
  const config = securityGatehouseConfig(options)
  assert.deepEqual(Object.keys(config), ['workers', 'listeners', 'admin', 'observability', 'upstreams', 'consumers', 'keyManager', 'routes'])
  for (const [name, value] of Object.entries(baseGatehouseConfig(options))) assert.deepEqual(config[name], value)
  assert.deepEqual(config.keyManager, { issuer: 'http://127.0.0.1:1', adminToken: 't', store: { type: 'sqlite', path: 'keymanager.db' }, signing: { algorithm: 'RS256' } })
  assert.deepEqual((config.routes as Array<{ paths: string[] }>).map((r) => r.paths[0]), [PREFIXES.passthrough, PREFIXES.apiKey, PREFIXES.oauth])
})
