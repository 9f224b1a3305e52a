import assert from 'node:assert/strict'
import { readFileSync } from 'node:fs'
import { test } from 'node:test'
import { parseWrkOutput, parseWrkTime, wrkErrorCount } from './wrk-parse.ts'

// Real wrk 4.1 output, captured with `wrk -t1 -cN -dS --latency` against local servers.
const sample = (name: string): string => readFileSync(new URL(`./wrk-samples/${name}.txt`, import.meta.url), 'utf8')

function near(actual: number, expected: number, what: string): void {
  assert.ok(Math.abs(actual - expected) < 1e-9, `${what}: expected ${expected}, got ${actual}`)
}

test('a normal run in milliseconds: req/s, percentiles, average and max', () => {
  const result = parseWrkOutput(sample('node-upstream-c64'))
  assert.equal(result.requests, 98031)
  near(result.durationS, 3.01, 'duration')
  near(result.rps, 32600.01, 'req/s')
  near(result.p50Ms, 1.7, 'p50')
  near(result.p99Ms, 12.45, 'p99')
  near(result.percentilesMs[75], 1.89, 'p75')
  near(result.percentilesMs[90], 2.97, 'p90')
  near(result.latencyAvgMs, 2.35, 'avg')
  near(result.latencyMaxMs, 73.63, 'max')
  assert.equal(wrkErrorCount(result), 0)
})

test('microsecond latencies are converted to milliseconds; non-2xx answers are counted', () => {
  const result = parseWrkOutput(sample('non-2xx'))
  near(result.p50Ms, 0.17, 'p50 from 170.00us')
  near(result.p99Ms, 2.65, 'p99 from 2.65ms')
  near(result.latencyAvgMs, 0.27604, 'avg from 276.04us')
  assert.equal(result.non2xx3xx, 74492)
  assert.equal(wrkErrorCount(result), 74492)
})

test('second latencies (with wrk\'s trailing blank) and socket errors', () => {
  const result = parseWrkOutput(sample('seconds-and-socket-errors'))
  near(result.p50Ms, 1100, 'p50 from 1.10s')
  near(result.p99Ms, 1110, 'p99 from 1.11s')
  near(result.rps, 6.38, 'req/s')
  near(result.durationS, 5.02, 'duration')
  assert.deepEqual(result.socketErrors, { connect: 0, read: 6, write: 0, timeout: 0 })
  assert.equal(wrkErrorCount(result), 6)
})

test('thread req/s without a k suffix does not disturb the summary figures', () => {
  const result = parseWrkOutput(sample('stalled-connections'))
  near(result.rps, 21.26, 'req/s')
  near(result.p50Ms, 1.0, 'p50')
  near(result.p99Ms, 25.81, 'p99')
  assert.equal(result.requests, 64)
})

test('a run with no answers at all parses to zero requests, not an exception', () => {
  const result = parseWrkOutput(sample('no-responses'))
  assert.equal(result.requests, 0)
  assert.equal(result.rps, 0)
  assert.equal(result.p99Ms, 0)
})

test('every time unit wrk prints', () => {
  near(parseWrkTime('812.00us'), 0.812, 'us')
  near(parseWrkTime('1.52ms'), 1.52, 'ms')
  near(parseWrkTime('2.01s'), 2010, 's')
  near(parseWrkTime('1.50m'), 90_000, 'm')
  near(parseWrkTime('1.00h'), 3_600_000, 'h')
  near(parseWrkTime(' 3.00ms '), 3, 'surrounding blanks')
  assert.ok(Number.isNaN(parseWrkTime('-nanus')))
  assert.throws(() => parseWrkTime('12.5'), /not a time with a unit/)
  assert.throws(() => parseWrkTime('3.0 ms'), /not a time with a unit/)
})

test('output without --latency is refused with the reason', () => {
  const withoutDistribution = sample('node-upstream-c64').replace(/ {2}Latency Distribution[\s\S]*?(?= {2}\d+ requests)/, '')
  assert.doesNotMatch(withoutDistribution, /50%/)
  assert.throws(() => parseWrkOutput(withoutDistribution), /no latency distribution; was wrk run with --latency/)
})

test('output that is not from a finished wrk run is refused and quoted', () => {
  assert.throws(() => parseWrkOutput('unable to connect to 127.0.0.1:1 Connection refused\n'), /no "requests in" or "Requests\/sec:" line[\s\S]*Connection refused/)
  assert.throws(() => parseWrkOutput(''), /no "requests in"/)
})
