import assert from 'node:assert/strict'
import { test } from 'node:test'
import { toJsonLine } from '../../lib/json-line.ts'
import type { Sample } from '../../lib/rounds.ts'
import type { WrkResult } from '../../lib/wrk-parse.ts'
import { buildReport, formatReport, reportJson } from './report.ts'

function result(rps: number, p50Ms: number, p99Ms: number, non2xx3xx = 0): WrkResult {
  return {
    requests: rps * 10, durationS: 10, rps, latencyAvgMs: p50Ms, latencyMaxMs: p99Ms, percentilesMs: { 50: p50Ms, 99: p99Ms }, p50Ms, p99Ms,
    non2xx3xx, socketErrors: { connect: 0, read: 0, write: 0, timeout: 0 },
  }
}

const sample = (target: string, connections: number, round: number, r: WrkResult): Sample => ({ target, connections, round, result: r })
const TARGETS = ['direct', 'gatehouse', 'nginx', 'reference']

// Three rounds in which the whole machine slows down by half in round 2 (drift): the same-round
// ratios stay put while the absolute figures move.
const samples: Sample[] = [1, 2, 3].flatMap((round) => {
  const speed = round === 2 ? 0.5 : 1
  return [
    sample('direct', 64, round, result(40000 * speed, 0.8, 1.5)),
    sample('gatehouse', 64, round, result(12000 * speed, 2.0, 2.3 + round * 0.1)),
    sample('nginx', 64, round, result(30000 * speed, 1.0, 1.9)),
    sample('reference', 64, round, result(10000 * speed, 3.0, 4.0)),
  ]
})

test('medians per target and connection count', () => {
  const report = buildReport(samples, TARGETS, [64])
  // CPU per request is not measured in this scenario.
  assert.deepEqual(report.figures.get('gatehouse@c64'), { rps: 12000, p50Ms: 2.0, p99Ms: 2.5, errors: 0, cpuUs: Number.NaN })
  assert.equal(report.figures.get('direct@c64')?.rps, 40000)
})

test('ratios are medians of same-round pairs, so drift cancels out', () => {
  const report = buildReport(samples, TARGETS, [64])
  assert.equal(report.ratios.get('gatehouse/reference@c64'), 1.2)
  assert.equal(report.ratios.get('gatehouse/nginx@c64'), 0.4)
  assert.equal(report.ratios.get('gatehouse/direct@c64'), 0.3)
  assert.ok(Math.abs((report.addedP99Ms.get('gatehouse@c64') ?? Number.NaN) - 1.0) < 1e-9)
})

test('bars: PASS and FAIL against the thresholds; added latency is judged at one connection', () => {
  const unloaded = (gatehouseP99: number): Sample[] => [1, 2, 3].flatMap((round) => [
    sample('direct', 1, round, result(9000, 0.1, 0.2)),
    sample('gatehouse', 1, round, result(5000, 0.15, gatehouseP99)),
    sample('nginx', 1, round, result(7000, 0.12, 0.3)),
    sample('reference', 1, round, result(4000, 0.2, 0.5)),
  ])
  const passing = buildReport([...samples, ...unloaded(0.5)], TARGETS, [1, 64]).bars
  assert.deepEqual(passing.map((b) => [b.key, b.status]), [
    ['gatehouse/reference@c64', 'PASS'],
    ['gatehouse/nginx@c64', 'PASS'],
    ['gatehouse/added_p99_ms@c1', 'PASS'],
    ['gatehouse/errors', 'PASS'],
  ])
  const slow = buildReport([...samples, ...unloaded(1.5)], TARGETS, [1, 64]).bars
  assert.equal(slow.find((b) => b.key === 'gatehouse/added_p99_ms@c1')?.status, 'FAIL')
  // Without a one-connection run there is nothing to judge added latency by.
  assert.equal(buildReport(samples, TARGETS, [64]).bars.find((b) => b.key === 'gatehouse/added_p99_ms@c1')?.status, 'n/a')
})

test('failed requests through the gateway fail the errors bar', () => {
  const withErrors = [...samples.filter((s) => s.target !== 'gatehouse' || s.round !== 1), sample('gatehouse', 64, 1, result(12000, 2.0, 2.4, 7))]
  const report = buildReport(withErrors, TARGETS, [64])
  assert.equal(report.figures.get('gatehouse@c64')?.errors, 7)
  assert.equal(report.bars.find((b) => b.key === 'gatehouse/errors')?.status, 'FAIL')
})

test('a skipped target leaves its rows empty and its bars n/a', () => {
  const report = buildReport(samples.filter((s) => s.target !== 'gatehouse'), TARGETS, [64])
  assert.equal(report.figures.has('gatehouse@c64'), false)
  assert.ok(Number.isNaN(report.ratios.get('gatehouse/reference@c64') ?? 0))
  assert.deepEqual(report.bars.map((b) => b.status), ['n/a', 'n/a', 'n/a', 'n/a'])
  assert.match(formatReport(report), /^gatehouse\s+-\s+-\s+-\s+-$/m)
})

test('the JSON line has the documented shape and no NaN', () => {
  const report = buildReport(samples.filter((s) => s.target !== 'nginx'), TARGETS, [64])
  const line = toJsonLine(reportJson(report, { upstream: 'nginx', pinning: { proxyCpu: 0, loadCpu: 1 }, durationS: 10, rounds: 3, warmupS: 2, loadAvg1m: 0.1, skipped: { nginx: 'nginx is not installed' } }))
  assert.doesNotMatch(line, /\n/)
  const parsed = JSON.parse(line) as { scenario: string; targets: Record<string, unknown>; ratios: Record<string, unknown>; skipped: Record<string, string> }
  assert.equal(parsed.scenario, 'passthrough')
  assert.deepEqual(parsed.targets['gatehouse@c64'], { rps: 12000, p50_ms: 2, p99_ms: 2.5, errors: 0 })
  assert.equal(parsed.ratios['gatehouse/reference@c64'], 1.2)
  assert.equal(parsed.ratios['gatehouse/nginx@c64'], null)
  assert.equal(parsed.skipped.nginx, 'nginx is not installed')
})

const unloadedSamples: Sample[] = [1, 2, 3].flatMap((round) => [
  sample('direct', 1, round, result(9000, 0.1, 0.2)),
  sample('gatehouse', 1, round, result(5000, 0.15, 0.5)),
  sample('nginx', 1, round, result(7000, 0.12, 0.3)),
  sample('reference', 1, round, result(4000, 0.2, 0.5)),
])

test('the printed report, to the character: a table per connection count, ratios and added p99, bars', () => {
  const report = buildReport([...samples.filter((s) => s.target !== 'nginx'), ...unloadedSamples], TARGETS, [1, 64])
  assert.equal(formatReport(report), [
    '1 connections',
    'target     req/s  p50 ms  p99 ms  errors',
    'direct      9000    0.10    0.20       0',
    'gatehouse   5000    0.15    0.50       0',
    'nginx       7000    0.12    0.30       0',
    'reference   4000    0.20    0.50       0',
    '',
    '64 connections',
    'target     req/s  p50 ms  p99 ms  errors',
    'direct     40000    0.80    1.50       0',
    'gatehouse  12000    2.00    2.50       0',
    'nginx          -       -       -       -',
    'reference  10000    3.00    4.00       0',
    '',
    'ratios of req/s (medians of same-round pairs, then lowest–highest round) and added p99 over direct',
    '                                    c1        c64',
    'gatehouse/reference               1.25       1.20',
    'gatehouse/nginx                   0.71          -',
    'gatehouse/direct                  0.56       0.30',
    'reference/nginx                   0.57          -',
    'reference/direct                  0.44       0.25',
    'nginx/direct                      0.78          -',
    'gatehouse/reference, rounds  1.25–1.25  1.20–1.20',
    'gatehouse/nginx, rounds      0.71–0.71          -',
    'gatehouse/direct, rounds     0.56–0.56  0.30–0.30',
    'reference/nginx, rounds      0.57–0.57          -',
    'reference/direct, rounds     0.44–0.44  0.25–0.25',
    'nginx/direct, rounds         0.78–0.78          -',
    'gatehouse added p99 ms            0.30       1.00',
    'nginx added p99 ms                0.10          -',
    'reference added p99 ms            0.30       2.50',
    '',
    'bars (req/s at c64, added p99 at c1; failed requests over all runs)',
    '                                   value',
    'gatehouse ≥ 1.0× reference req/s     1.2  PASS',
    'gatehouse ≥ 0.3× nginx req/s           -   n/a',
    'gatehouse adds < 1 ms to p99 (c1)    0.3  PASS',
    'gatehouse failed requests = 0          0  PASS',
  ].join('\n'))
})

test('the JSON members and their order: targets without CPU, ratios, added p99, bars, skipped, settings', () => {
  const report = buildReport([...samples, ...unloadedSamples], TARGETS, [1, 64])
  const parsed = JSON.parse(toJsonLine(reportJson(report, { upstream: 'node', pinning: null, durationS: 10, rounds: 3, warmupS: 2, loadAvg1m: 0.123, skipped: {} }))) as Record<string, Record<string, unknown>>
  assert.deepEqual(Object.keys(parsed), ['scenario', 'targets', 'ratios', 'ratio_ranges', 'added_p99_ms', 'bars', 'skipped', 'settings'])
  assert.deepEqual(Object.keys(parsed.targets), ['direct@c1', 'gatehouse@c1', 'nginx@c1', 'reference@c1', 'direct@c64', 'gatehouse@c64', 'nginx@c64', 'reference@c64'])
  assert.deepEqual(parsed.targets['gatehouse@c1'], { rps: 5000, p50_ms: 0.15, p99_ms: 0.5, errors: 0 })
  assert.deepEqual(parsed.added_p99_ms, { 'gatehouse@c1': 0.3, 'nginx@c1': 0.1, 'reference@c1': 0.3, 'gatehouse@c64': 1, 'nginx@c64': 0.4, 'reference@c64': 2.5 })
  assert.deepEqual(parsed.settings, { upstream: 'node', pinning: null, duration_s: 10, rounds: 3, warmup_s: 2, load_avg_1m: 0.12, connections: [1, 64] })
})
