import assert from 'node:assert/strict'
import { test } from 'node:test'
import { toJsonLine } from '../../lib/json-line.ts'
import type { Sample } from '../../lib/rounds.ts'
import type { WrkResult } from '../../lib/wrk-parse.ts'
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
  assert.deepEqual(report.figures.get('client_credentials/ES256/persist-on@c64'), { rps: 3000, p50Ms: 10, p99Ms: 30, errors: 0 })
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
  assert.equal(parsed.scenario, 'token')
  assert.deepEqual(parsed.targets['refresh/RS256/persist-on@c64'], { rps: 800, p50_ms: 10, p99_ms: 30, errors: 0 })
  assert.equal(parsed.ratios['refresh/ES256/persist-on:off@c64'], 0.833)
  assert.equal(parsed.bars.length, 9)
  assert.deepEqual(parsed.settings.scrypt, { N: 16384, r: 8, p: 1 })
})
