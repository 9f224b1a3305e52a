import assert from 'node:assert/strict'
import { test } from 'node:test'
import { toJsonLine } from '../../lib/json-line.ts'
import type { MeasuredSample } from '../../lib/measured-rounds.ts'
import type { WrkResult } from '../../lib/wrk-parse.ts'
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

test('the Lua scripts quote what they embed and format requests once wrk knows the host', () => {
  const reused = reusedTokenScript({ apiPath: '/oauth/v1/data', tokenPath: '/oauth2/token', authorization: 'Basic a]]b' })
  assert.match(reused, /\[=\[Basic a\]\]b\]=\]/, 'a long bracket that the text cannot close')
  assert.match(reused, /function init\(args\)\n {2}token_request = wrk\.format\("POST"/)
  assert.match(reused, /sent % 51 == 0/)
  const fresh = freshTokenScript({ apiPath: '/oauth/v1/data', tokensFile: '/tmp/t.txt', stateFile: '/tmp/p' })
  assert.match(fresh, /io\.lines\(\[\[\/tmp\/t\.txt\]\]\)/)
  assert.match(fresh, /threads\[1\]:get\("position"\)/)
})
