import assert from 'node:assert/strict'
import { test } from 'node:test'
import {
  bar, barsJson, connectionsSection, cpuRatios, errorTotal, figureCells, figureHeader, figuresJson, formatBars, formatByConnections, formatFigures,
  latencyJson, medianFigures, pairName, rangeCell, rangeRowByConnections, rangesJson, roundedJson, rowByConnections, rpsRatioRanges, rpsRatios,
  sameRoundMedian, sameRoundRange, settingsJson, targetsJson,
} from './figures.ts'
import type { MeasuredSample } from './measured-rounds.ts'
import type { WrkResult } from './wrk-parse.ts'

function result(rps: number, p99Ms = 9, non2xx3xx = 0): WrkResult {
  return {
    requests: rps * 5, durationS: 5, rps, latencyAvgMs: 1, latencyMaxMs: p99Ms, percentilesMs: { 50: 1, 99: p99Ms }, p50Ms: 1, p99Ms,
    non2xx3xx, socketErrors: { connect: 0, read: 0, write: 0, timeout: 0 },
  }
}

// Round 2 at half speed (drift); `a` costs the server 50 µs per request, `b` 100 µs; `up` is not served by a measured process.
const samples: MeasuredSample[] = [1, 2, 3].flatMap((round) => {
  const speed = round === 2 ? 0.5 : 1
  const measured = (target: string, rps: number, cpuUs: number): MeasuredSample => {
    const r = result(rps * speed, 9 + round)
    return { target, connections: 64, round, result: r, cpuSeconds: (cpuUs * r.requests) / 1e6 }
  }
  return [measured('a', 9000, 50), measured('b', 6000, 100), { target: 'up', connections: 64, round, result: result(30000 * speed, 2) }]
})

test('medians per target: figures of every measured target, NaN CPU where no process was measured', () => {
  const figures = medianFigures(samples, ['a', 'up', 'missing'], [64])
  assert.deepEqual([...figures.keys()], ['a@c64', 'up@c64'])
  assert.deepEqual(figures.get('a@c64'), { rps: 9000, p50Ms: 1, p99Ms: 11, errors: 0, cpuUs: 50 })
  assert.ok(Number.isNaN(figures.get('up@c64')?.cpuUs))
})

test('ranges: the lowest and highest same-round ratio, for the table and the JSON', () => {
  // a/b is 1.5 in every round of the shared samples; here round 3 of `a` ran slower.
  const slower = samples.map((s) => (s.target === 'a' && s.round === 3 ? { ...s, result: result(7200) } : s))
  assert.deepEqual(sameRoundRange(slower, 'a', 'b', 64, (s) => s.result.rps), { low: 1.2, high: 1.5 })
  assert.equal(sameRoundRange(slower, 'a', 'nobody', 64, (s) => s.result.rps), undefined, 'no pairs, no range')
  const ranges = rpsRatioRanges(slower, [['a', 'b'], ['a', 'nobody']], [64])
  assert.deepEqual([...ranges.keys()], ['a/b@c64'])
  assert.equal(rangeCell(ranges.get('a/b@c64')), '1.20–1.50')
  assert.equal(rangeCell(undefined), '-')
  assert.deepEqual(rangeRowByConnections('a/b, rounds', ranges, 'a/b', [1, 64]), ['a/b, rounds', '-', '1.20–1.50'])
  assert.deepEqual(rangesJson(new Map([['x@c64', { low: 0.81234, high: 0.93456 }]])), { 'x@c64': [0.812, 0.935] })
})

test('ratios are medians of same-round pairs, by req/s and by CPU per request inverted', () => {
  const rps = rpsRatios(samples, [['a', 'b'], ['b', 'up']], [64])
  assert.deepEqual([...rps.entries()], [['a/b@c64', 1.5], ['b/up@c64', 0.2]])
  const cpu = cpuRatios(samples, [['a', 'b']], [64])
  assert.equal(cpu.get('a/b@c64'), 2)
  assert.ok(Number.isNaN(cpuRatios(samples, [['a', 'up']], [64]).get('a/up@c64')), 'no CPU figure for the baseline, no ratio')
  assert.ok(Number.isNaN(rpsRatios(samples, [['a', 'nobody']], [64]).get('a/nobody@c64')), 'no pairs, no ratio')
  assert.equal(sameRoundMedian(samples, 'a', 'up', 64, (x, y) => x.result.p99Ms - y.result.p99Ms), 9)
  assert.equal(pairName(['get-on', 'get-off']), 'get-on/get-off')
})

test('errors: a sum over targets and connection counts, NaN when a target has no figures', () => {
  const failing = samples.map((s) => (s.target === 'a' && s.round === 3 ? { ...s, result: result(9000, 9, 4) } : s))
  const figures = medianFigures(failing, ['a', 'b'], [64])
  assert.equal(errorTotal(figures, ['a', 'b'], [64]), 4)
  assert.ok(Number.isNaN(errorTotal(figures, ['a', 'skipped'], [64])))
  assert.ok(Number.isNaN(errorTotal(figures, [], [64])))
})

test('bars: PASS and FAIL against the threshold, n/a without a value', () => {
  assert.equal(bar('x', 'k', 0.9, '>=', 0.9).status, 'PASS')
  assert.equal(bar('x', 'k', 0.89, '>=', 0.9).status, 'FAIL')
  assert.equal(bar('x', 'k', 0, '<', 1).status, 'PASS')
  assert.equal(bar('x', 'k', 1, '<', 1).status, 'FAIL')
  assert.equal(bar('x', 'k', Number.NaN, '<', 1).status, 'n/a')
})

test('figure tables: with and without the CPU column, dashes for a skipped target', () => {
  assert.deepEqual(figureHeader('tokens/s'), ['tokens/s', 'p50 ms', 'p99 ms', 'errors'])
  assert.deepEqual(figureHeader('req/s', 'CPU'), ['req/s', 'p50 ms', 'p99 ms', 'errors', 'CPU'])
  assert.deepEqual(figureCells(undefined, false), ['-', '-', '-', '-'])
  const figures = medianFigures(samples, ['a', 'up'], [64])
  assert.deepEqual(figureCells(figures.get('a@c64'), true), [9000, 1, 11, '0', 50])
  assert.deepEqual(formatFigures(figures, ['a', 'up', 'gone'], [64], 'server CPU µs/req'), [[
    '64 connections',
    'target  req/s  p50 ms  p99 ms  errors  server CPU µs/req',
    'a        9000    1.00    11.0       0               50.0',
    'up      30000    1.00    2.00       0                  -',
    'gone        -       -       -       -                  -',
  ].join('\n')])
  assert.deepEqual(formatFigures(figures, ['a'], [64]), ['64 connections\ntarget  req/s  p50 ms  p99 ms  errors\na        9000    1.00    11.0       0'])
  assert.equal(connectionsSection(16, 'table'), '16 connections\ntable')
})

test('tables by connection count and bars', () => {
  const values = new Map([['a/b@c1', 1.25], ['a/b@c64', 1.5]])
  assert.deepEqual(rowByConnections('a/b', values, 'a/b', [1, 64, 256]), ['a/b', 1.25, 1.5, Number.NaN])
  assert.equal(formatByConnections('ratios', [1, 64], [rowByConnections('a over b', values, 'a/b', [1, 64])]), 'ratios\n            c1   c64\na over b  1.25  1.50')
  const bars = [bar('a ≥ 0.9× b', 'a/b@c64', 1.23456, '>=', 0.9), bar('no errors', 'errors', Number.NaN, '<', 1)]
  assert.equal(formatBars('bars (at c64)', bars), 'bars (at c64)\n            value\na ≥ 0.9× b  1.235  PASS\nno errors       -   n/a')
  const straddling = new Map([['a/b@c64', { low: 0.85, high: 1.4 }], ['errors', { low: 0, high: 2 }]])
  assert.equal(formatBars('bars (at c64)', bars, straddling), 'bars (at c64)\n            value\na ≥ 0.9× b  1.235  PASS  rounds 0.85–1.40: on both sides\nno errors       -   n/a', 'only ratio bars (≥) are read against their rounds')
  assert.equal(formatBars('bars (at c64)', bars, new Map([['a/b@c64', { low: 0.95, high: 1.4 }]])), formatBars('bars (at c64)', bars), 'rounds all on one side: no remark')
  assert.deepEqual(barsJson(bars), [
    { name: 'a/b@c64', value: 1.235, op: '>=', threshold: 0.9, status: 'PASS' },
    { name: 'errors', value: null, op: '<', threshold: 1, status: 'n/a' },
  ])
})

test('JSON members: figures with or without CPU, rounded maps, settings with the scenario\'s own last', () => {
  const figures = medianFigures(samples, ['a', 'up'], [64])
  const a = figures.get('a@c64')
  assert.ok(a !== undefined)
  assert.deepEqual(Object.keys(latencyJson(a)), ['rps', 'p50_ms', 'p99_ms', 'errors'])
  assert.deepEqual(figuresJson({ rps: 1234.56, p50Ms: 1.23456, p99Ms: 9.87654, errors: 2, cpuUs: 12.345 }), { rps: 1235, p50_ms: 1.235, p99_ms: 9.877, errors: 2, cpu_us_per_request: 12.3 })
  assert.deepEqual(targetsJson(figures, figuresJson), { 'a@c64': { rps: 9000, p50_ms: 1, p99_ms: 11, errors: 0, cpu_us_per_request: 50 }, 'up@c64': { rps: 30000, p50_ms: 1, p99_ms: 2, errors: 0, cpu_us_per_request: Number.NaN } })
  assert.deepEqual(roundedJson(new Map([['x', 1.23456]])), { x: 1.235 })
  assert.deepEqual(roundedJson(new Map([['x', 1.23456]]), 1), { x: 1.2 })
  const context = { pinning: { proxyCpu: 0, loadCpu: 1 }, durationS: 10, rounds: 3, warmupS: 2, loadAvg1m: 0.456 }
  const withUpstream = settingsJson({ ...context, upstream: 'nginx' }, [1, 64], { body_bytes: 1024 })
  assert.deepEqual(Object.keys(withUpstream), ['upstream', 'pinning', 'duration_s', 'rounds', 'warmup_s', 'load_avg_1m', 'connections', 'body_bytes'])
  assert.equal(withUpstream.load_avg_1m, 0.46)
  assert.deepEqual(Object.keys(settingsJson(context, [64])), ['pinning', 'duration_s', 'rounds', 'warmup_s', 'load_avg_1m', 'connections'])
})
