import assert from 'node:assert/strict'
import { test } from 'node:test'
import { compileRequestValidator, createSpecAjv, type RequestParts } from '../../../src/openapi/validation/index.ts'
import { loadApiSpec } from '../../../src/openapi/load/index.ts'
import { toJsonLine } from '../../lib/json-line.ts'
import { luaString } from '../../lib/lua.ts'
import type { MeasuredSample } from '../../lib/measured-rounds.ts'
import type { WrkResult } from '../../lib/wrk-parse.ts'
import { API_PATH, BENCH_SPEC, openApiGatehouseConfig, PREFIXES } from './gateway.ts'
import { buildReport, formatReport, OPENAPI_TARGETS, reportJson } from './report.ts'
import { BODY_BYTES, invalidBody, INVALID_QUERY, postScript, VALID_QUERY, validBody } from './requests.ts'

function result(rps: number, non2xx3xx = 0): WrkResult {
  return {
    requests: rps * 5, durationS: 5, rps, latencyAvgMs: 1, latencyMaxMs: 9, percentilesMs: { 50: 1, 99: 9 }, p50Ms: 1, p99Ms: 9,
    non2xx3xx, socketErrors: { connect: 0, read: 0, write: 0, timeout: 0 },
  }
}

// Round 2 runs at half speed (drift): same-round ratios do not move, nor does CPU per request.
const CPU_US: Record<string, number> = { 'get-off': 70, 'get-on': 75, 'post-off': 80, 'post-on': 100 }
const RPS: Record<string, number> = { direct: 50000, 'get-off': 14000, 'get-on': 13300, 'post-off': 12000, 'post-on': 9600 }
const samples: MeasuredSample[] = [1, 2, 3].flatMap((round) => OPENAPI_TARGETS.map((target) => {
  const r = result(RPS[target] * (round === 2 ? 0.5 : 1))
  const cpu = CPU_US[target]
  return cpu === undefined ? { target, connections: 64, round, result: r } : { target, connections: 64, round, result: r, cpuSeconds: (cpu * r.requests) / 1e6 }
}))

test('each validated row is compared with its unvalidated twin, in req/s and in CPU; the bars need ≥ 0.9', () => {
  const report = buildReport(samples, OPENAPI_TARGETS, [64])
  assert.equal(report.ratios.get('get-on/get-off@c64'), 0.95)
  assert.equal(report.ratios.get('post-on/post-off@c64'), 0.8)
  assert.ok(Math.abs((report.cpuRatios.get('get-on/get-off@c64') ?? 0) - 70 / 75) < 1e-9)
  assert.equal(report.cpuRatios.get('post-on/post-off@c64'), 0.8)
  assert.equal(report.validationCpuUs.get('get@c64'), 5)
  assert.equal(report.validationCpuUs.get('post@c64'), 20)
  assert.equal(report.figures.get('get-on@c64')?.rps, 13300)
  assert.ok(Number.isNaN(report.figures.get('direct@c64')?.cpuUs), 'the upstream\'s CPU is not the gateway\'s')
  assert.deepEqual(report.bars.map((b) => [b.key, b.status]), [
    ['get-on/get-off@c64', 'PASS'],
    ['post-on/post-off@c64', 'FAIL'],
    ['gateway/errors', 'PASS'],
  ])
  assert.equal(formatReport(report), [
    '64 connections',
    'target    req/s  p50 ms  p99 ms  errors  gateway CPU µs/req',
    'direct    50000    1.00    9.00       0                   -',
    'get-off   14000    1.00    9.00       0                70.0',
    'get-on    13300    1.00    9.00       0                75.0',
    'post-off  12000    1.00    9.00       0                80.0',
    'post-on    9600    1.00    9.00       0               100.0',
    '',
    'ratios of req/s (medians of same-round pairs, then lowest–highest round), and of CPU per request inverted',
    '                                   c64',
    'get-on/get-off                    0.95',
    'post-on/post-off                  0.80',
    'get-on/get-off, rounds       0.95–0.95',
    'post-on/post-off, rounds     0.80–0.80',
    'get-on/get-off by CPU             0.93',
    'post-on/post-off by CPU           0.80',
    'get: validation CPU µs/req        5.00',
    'post: validation CPU µs/req       20.0',
    '',
    'bars (req/s at c64; failed requests over all runs)',
    '                               value',
    'get-on ≥ 0.9× get-off req/s     0.95  PASS',
    'post-on ≥ 0.9× post-off req/s    0.8  FAIL',
    'gateway failed requests = 0        0  PASS',
  ].join('\n'))
})

test('validation CPU is the median of same-round differences, not the difference of medians', () => {
  // The machine slows down after round 1: both rows cost more CPU in rounds 2 and 3.
  const cpu: Record<string, number[]> = { 'get-off': [70, 120, 120], 'get-on': [73, 125, 121] }
  const drifting: MeasuredSample[] = Object.entries(cpu).flatMap(([target, perRound]) => perRound.map((us, index) => {
    const r = result(10000)
    return { target, connections: 64, round: index + 1, result: r, cpuSeconds: (us * r.requests) / 1e6 }
  }))
  const report = buildReport(drifting, ['get-off', 'get-on'], [64])
  assert.ok(Math.abs((report.validationCpuUs.get('get@c64') ?? 0) - 3) < 1e-9, String(report.validationCpuUs.get('get@c64')))
  assert.ok(Number.isNaN(report.validationCpuUs.get('post@c64')))
})

test('a failed request in a gateway row fails the error bar; a skipped row leaves its bar n/a', () => {
  const failing = samples.map((s) => (s.target === 'post-on' && s.round === 3 ? { ...s, result: result(9600, 2) } : s))
  assert.equal(buildReport(failing, OPENAPI_TARGETS, [64]).bars[2].status, 'FAIL')
  const withoutPostOn = buildReport(samples.filter((s) => s.target !== 'post-on'), OPENAPI_TARGETS, [64])
  assert.deepEqual(withoutPostOn.bars.map((b) => b.status), ['PASS', 'n/a', 'n/a'])
  const getsOnly = buildReport(samples.filter((s) => s.target.startsWith('get')), ['get-off', 'get-on'], [64])
  assert.deepEqual(getsOnly.bars.map((b) => b.status), ['PASS', 'n/a', 'PASS'])
})

test('--json is one line: scenario, targets with rps/p50_ms/p99_ms, ratios, bars and settings', () => {
  const report = buildReport(samples, OPENAPI_TARGETS, [64])
  const line = toJsonLine(reportJson(report, { upstream: 'nginx', pinning: { proxyCpu: 0, loadCpu: 1 }, durationS: 5, rounds: 3, warmupS: 2, loadAvg1m: 0.12, getQuery: VALID_QUERY, bodyBytes: BODY_BYTES, skipped: {} }))
  assert.equal(line.includes('\n'), false)
  const parsed = JSON.parse(line) as Record<string, Record<string, unknown>>
  assert.deepEqual(Object.keys(parsed), ['scenario', 'targets', 'ratios', 'ratio_ranges', 'cpu_ratios', 'validation_cpu_us_per_request', 'bars', 'skipped', 'settings'])
  assert.equal(parsed.scenario as unknown, 'openapi')
  assert.deepEqual(Object.keys(parsed.targets), OPENAPI_TARGETS.map((t) => `${t}@c64`))
  assert.deepEqual(parsed.targets['post-on@c64'], { rps: 9600, p50_ms: 1, p99_ms: 9, errors: 0, cpu_us_per_request: 100 })
  assert.equal((parsed.targets['direct@c64'] as Record<string, unknown>).cpu_us_per_request, null)
  assert.deepEqual(parsed.ratios, { 'get-on/get-off@c64': 0.95, 'post-on/post-off@c64': 0.8 })
  assert.equal(parsed.cpu_ratios['get-on/get-off@c64'], 0.933)
  assert.deepEqual(parsed.validation_cpu_us_per_request, { 'get@c64': 5, 'post@c64': 20 })
  assert.deepEqual((parsed.bars as unknown as Array<Record<string, unknown>>)[1], { name: 'post-on/post-off@c64', value: 0.8, op: '>=', threshold: 0.9, status: 'FAIL' })
  assert.deepEqual(parsed.settings, { upstream: 'nginx', pinning: { proxyCpu: 0, loadCpu: 1 }, duration_s: 5, rounds: 3, warmup_s: 2, load_avg_1m: 0.12, connections: [64], get_query: VALID_QUERY, body_bytes: BODY_BYTES })
})

test('the config declares the same document twice, validation off and on, both stripping their prefix', () => {
  const config = openApiGatehouseConfig({ port: 1, adminPort: 2, upstreamUrl: 'http://127.0.0.1:3', accessLogFile: 'access.log', spec: BENCH_SPEC })
  assert.deepEqual(config.apis, [
    { name: 'bench-off', spec: BENCH_SPEC, upstream: 'backend', basePath: PREFIXES.off, stripBasePath: true, validation: { requests: false } },
    { name: 'bench-on', spec: BENCH_SPEC, upstream: 'backend', basePath: PREFIXES.on, stripBasePath: true, validation: { requests: true } },
  ])
  assert.equal(config.workers, 1)
})

test('what wrk sends is valid against the bench document, and the invalid variants are not', async () => {
  const spec = await loadApiSpec(BENCH_SPEC)
  const ajv = createSpecAjv()
  const operation = (method: string) => {
    const found = spec.operations.find((o) => o.method === method && o.pathTemplate === API_PATH)
    assert.ok(found, `${method} ${API_PATH} is in the document`)
    return compileRequestValidator(found, { ajv })
  }
  const parts = (method: string, query: string, body?: string): RequestParts => ({
    method, pathParams: {}, query, headers: body === undefined ? {} : { 'content-type': 'application/json' }, body: body === undefined ? undefined : Buffer.from(body),
  })
  const get = operation('GET')
  assert.deepEqual(get.validate(parts('GET', VALID_QUERY)), [])
  assert.deepEqual(get.validate(parts('GET', INVALID_QUERY)).map((i) => i.location), ['query.limit'])
  const post = operation('POST')
  assert.equal(post.needsBody, true)
  assert.equal(Buffer.byteLength(validBody()), BODY_BYTES)
  assert.equal((JSON.parse(validBody()) as { items: unknown[] }).items.length, 12)
  assert.deepEqual(post.validate(parts('POST', '', validBody())), [])
  assert.deepEqual(post.validate(parts('POST', '', invalidBody())).map((i) => i.location), ['body.isAdmin'])
  // Formats are checked too, so the POST row pays for them.
  const badEmail = validBody().replace('user01@example.com', 'user01-example.com')
  assert.deepEqual(post.validate(parts('POST', '', badEmail)).map((i) => i.location), ['body.items[0].email'])
})

test('the POST script sets method, content type and the body as a Lua long string', () => {
  const script = postScript(validBody())
  assert.match(script, /^wrk\.method = "POST"$/m)
  assert.match(script, /^wrk\.headers\["Content-Type"\] = "application\/json"$/m)
  assert.ok(script.includes(`wrk.body = ${luaString(validBody())}`))
  assert.ok(script.includes(`wrk.body = [[${validBody()}]]`))
})
