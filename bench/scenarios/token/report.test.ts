import assert from 'node:assert/strict'
import { test } from 'node:test'
import { toJsonLine } from '../../lib/json-line.ts'
import type { Sample } from '../../lib/rounds.ts'
import type { WrkResult } from '../../lib/wrk-parse.ts'
import { tokenGatehouseConfig } from './gateways.ts'
import { buildReport, formatReport, reportJson, targetName, type TokenTarget } from './report.ts'

function result(rps: number, non2xx3xx = 0): WrkResult {
  return {
    requests: rps * 5, durationS: 5, rps, latencyAvgMs: 10, latencyMaxMs: 40, percentilesMs: { 50: 10, 99: 30 }, p50Ms: 10, p99Ms: 30,
    non2xx3xx, socketErrors: { connect: 0, read: 0, write: 0, timeout: 0 },
  }
}

const TARGETS: TokenTarget[] = (['RS256', 'ES256'] as const).flatMap((algorithm) => (['on', 'off'] as const).flatMap((persistence) =>
  (['client_credentials', 'refresh'] as const).map((grant) => ({ grant, algorithm, persistence }))))

/** Tokens/s per target; round 2 runs the whole machine at half speed (drift). */
const BASE: Record<string, number> = {
  'client_credentials/RS256/persist-off': 1500, 'client_credentials/RS256/persist-on': 1350,
  'client_credentials/ES256/persist-off': 6000, 'client_credentials/ES256/persist-on': 3000,
  'refresh/RS256/persist-off': 900, 'refresh/RS256/persist-on': 800,
  'refresh/ES256/persist-off': 1200, 'refresh/ES256/persist-on': 1000,
}
const samples: Sample[] = [1, 2, 3].flatMap((round) => TARGETS.map((t) => ({
  target: targetName(t), connections: 64, round, result: result(BASE[targetName(t)] * (round === 2 ? 0.5 : 1)),
})))

test('medians per target; persistence ratios from same-round pairs, so drift cancels', () => {
  const report = buildReport(samples, TARGETS, [64])
  // CPU per request is not measured in this scenario.
  assert.deepEqual(report.figures.get('client_credentials/ES256/persist-on@c64'), { rps: 3000, p50Ms: 10, p99Ms: 30, errors: 0, cpuUs: Number.NaN })
  assert.equal(report.ratios.get('client_credentials/ES256/persist-on:off@c64'), 0.5)
  assert.equal(report.ratios.get('client_credentials/RS256/persist-on:off@c64'), 0.9)
  assert.equal(report.ratios.size, 4)
})

test('bars: client credentials thresholds per algorithm, persistence ratio per grant, errors', () => {
  const bars = buildReport(samples, TARGETS, [64]).bars
  assert.deepEqual(bars.map((b) => [b.key, b.status]), [
    ['client_credentials/RS256/persist-on@c64', 'PASS'],
    ['client_credentials/RS256/persist-off@c64', 'PASS'],
    ['client_credentials/ES256/persist-on@c64', 'FAIL'],
    ['client_credentials/ES256/persist-off@c64', 'PASS'],
    ['client_credentials/RS256/persist-on:off@c64', 'PASS'],
    ['refresh/RS256/persist-on:off@c64', 'PASS'],
    ['client_credentials/ES256/persist-on:off@c64', 'FAIL'],
    ['refresh/ES256/persist-on:off@c64', 'PASS'],
    ['errors', 'PASS'],
  ])
})

test('failed requests fail the errors bar; only pairs measured both ways get a ratio', () => {
  const onlyOff = TARGETS.filter((t) => t.persistence === 'off')
  const withErrors = samples.filter((s) => s.target.endsWith('off')).map((s) => (s.round === 1 && s.target === 'refresh/ES256/persist-off' ? { ...s, result: result(1200, 3) } : s))
  const report = buildReport(withErrors, onlyOff, [64])
  assert.equal(report.ratios.size, 0)
  assert.equal(report.figures.get('refresh/ES256/persist-off@c64')?.errors, 3)
  assert.deepEqual(report.bars.map((b) => b.status), ['PASS', 'PASS', 'FAIL'])
})

test('bars are judged at the highest connection count measured', () => {
  const more = [...samples, ...samples.map((s) => ({ ...s, connections: 16, result: result(s.result.rps / 10) }))]
  const report = buildReport(more, TARGETS, [16, 64])
  assert.equal(report.barConnections, 64)
  assert.equal(report.bars[0].key, 'client_credentials/RS256/persist-on@c64')
  assert.match(formatReport(report), /^16 connections$/m)
})

test('the printed report puts WSO2\'s figures beside ours', () => {
  const text = formatReport(buildReport(samples, TARGETS, [64]))
  assert.match(text, /^client_credentials\s+764\.0\s+973\.0\s+191\.0\s+243\.3\s+1350\s+1500$/m)
  // Not measured here: the password row has WSO2's figures only.
  assert.match(text, /^password\s+434\.0\s+368\.0\s+108\.5\s+92\.0\s+-\s+-$/m)
})

test('the JSON line has the shape of the other scenarios and no NaN', () => {
  const report = buildReport(samples, TARGETS, [64])
  const line = toJsonLine(reportJson(report, { pinning: { proxyCpu: 0, loadCpu: 1 }, durationS: 5, rounds: 3, warmupS: 2, loadAvg1m: 0.3, scryptN: 16384 }))
  assert.doesNotMatch(line, /\n/)
  const parsed = JSON.parse(line) as { scenario: string; targets: Record<string, unknown>; ratios: Record<string, number>; bars: Array<{ status: string }>; settings: { scrypt: unknown } }
  // No upstream and no skipped targets in this scenario; the WSO2 reference instead.
  assert.deepEqual(Object.keys(parsed), ['scenario', 'targets', 'ratios', 'ratio_ranges', 'bars', 'reference', 'settings'])
  assert.deepEqual(parsed.settings, { pinning: { proxyCpu: 0, loadCpu: 1 }, duration_s: 5, rounds: 3, warmup_s: 2, load_avg_1m: 0.3, connections: [64], scrypt: { N: 16384, r: 8, p: 1 } })
  assert.equal(parsed.scenario, 'token')
  assert.deepEqual(parsed.targets['refresh/RS256/persist-on@c64'], { rps: 800, p50_ms: 10, p99_ms: 30, errors: 0 })
  assert.equal(parsed.ratios['refresh/ES256/persist-on:off@c64'], 0.833)
  assert.equal(parsed.bars.length, 9)
  assert.deepEqual(parsed.settings.scrypt, { N: 16384, r: 8, p: 1 })
})

test('the printed report, to the character: figures per grant, persistence ratios, WSO2 beside, bars', () => {
  assert.equal(formatReport(buildReport(samples, TARGETS, [64])), [
    '64 connections',
    'grant                 alg  persist  tokens/s  p50 ms  p99 ms  errors',
    'client_credentials  RS256       on      1350    10.0    30.0       0',
    'refresh             RS256       on     800.0    10.0    30.0       0',
    'client_credentials  RS256      off      1500    10.0    30.0       0',
    'refresh             RS256      off     900.0    10.0    30.0       0',
    'client_credentials  ES256       on      3000    10.0    30.0       0',
    'refresh             ES256       on      1000    10.0    30.0       0',
    'client_credentials  ES256      off      6000    10.0    30.0       0',
    'refresh             ES256      off      1200    10.0    30.0       0',
    '',
    'persistence on ÷ off, tokens/s (medians of same-round pairs, then lowest–highest round)',
    '                                        c64',
    'client_credentials RS256               0.90',
    'refresh RS256                          0.89',
    'client_credentials ES256               0.50',
    'refresh ES256                          0.83',
    'client_credentials RS256, rounds  0.90–0.90',
    'refresh RS256, rounds             0.89–0.89',
    'client_credentials ES256, rounds  0.50–0.50',
    'refresh ES256, rounds             0.83–0.83',
    '',
    'reference: WSO2 key manager, published figures (seed 001), 4 vCPU, not measured here; gatehouse on one core at c64',
    'tokens/s            WSO2 on  WSO2 off  WSO2 on/vCPU  WSO2 off/vCPU  gatehouse RS256 on  gatehouse RS256 off',
    'client_credentials    764.0     973.0         191.0          243.3                1350                 1500',
    'password              434.0     368.0         108.5           92.0                   -                    -',
    'refresh               333.0     415.0          83.3          103.8               800.0                900.0',
    '',
    'bars (at c64; failed requests over all runs)',
    '                                                            value',
    'client credentials RS256, persistence on: ≥ 1000 tokens/s    1350  PASS',
    'client credentials RS256, persistence off: ≥ 1000 tokens/s   1500  PASS',
    'client credentials ES256, persistence on: ≥ 5000 tokens/s    3000  FAIL',
    'client credentials ES256, persistence off: ≥ 5000 tokens/s   6000  PASS',
    'client_credentials RS256: persistence on ≥ 0.8× off           0.9  PASS',
    'refresh RS256: persistence on ≥ 0.8× off                    0.889  PASS',
    'client_credentials ES256: persistence on ≥ 0.8× off           0.5  FAIL',
    'refresh ES256: persistence on ≥ 0.8× off                    0.833  PASS',
    'failed token requests = 0                                       0  PASS',
  ].join('\n'))
})

test('the gateway config: no upstream and no access log, the key manager as asked', () => {
  assert.deepEqual(tokenGatehouseConfig({ port: 1, adminPort: 2, algorithm: 'ES256', persistence: 'off', scryptN: 1024, adminToken: 't' }), {
    workers: 1,
    listeners: [{ name: 'bench', protocol: 'http', host: '127.0.0.1', port: 1 }],
    admin: { host: '127.0.0.1', port: 2 },
    observability: { accessLog: { enabled: false }, logLevel: 'warn', metrics: true },
    keyManager: { adminToken: 't', signing: { algorithm: 'ES256' }, tokens: { persist: false }, passwordHashing: { N: 1024, r: 8, p: 1 } },
  })
})
