import assert from 'node:assert/strict'
import { test } from 'node:test'
import { rotate, runSchedule } from './rounds.ts'

test('each round starts with the next target, so none is always measured first', () => {
  const targets = ['direct', 'gatehouse', 'nginx', 'reference']
  assert.deepEqual([0, 1, 2, 3, 4].map((round) => rotate(targets, round)[0]), ['direct', 'gatehouse', 'nginx', 'reference', 'direct'])
  assert.deepEqual(rotate(targets, 1), ['gatehouse', 'nginx', 'reference', 'direct'])
  assert.deepEqual(rotate([], 3), [])
})

test('the schedule warms each target up at the highest connection count, then interleaves rounds', async () => {
  const calls: string[] = []
  const lines: string[] = []
  const samples = await runSchedule({ connections: [1, 64], rounds: 2, durationS: 5, warmupS: 2 }, [{ name: 'a' }, { name: 'b' }], {
    warmUp: async (target, connections, durationS) => calls.push(`warm ${target.name} c${connections} ${durationS}s`),
    measure: async (target, connections, round) => {
      calls.push(`run ${target.name} c${connections} r${round}`)
      return { sample: `${target.name}@${connections}#${round}`, line: 'ok' }
    },
  }, (line) => lines.push(line))
  assert.deepEqual(calls, [
    'warm a c64 2s', 'warm b c64 2s',
    'run a c1 r1', 'run b c1 r1', 'run a c64 r1', 'run b c64 r1',
    'run b c1 r2', 'run a c1 r2', 'run b c64 r2', 'run a c64 r2',
  ])
  assert.equal(samples.length, 8)
  assert.equal(samples[4], 'b@1#2')
  assert.deepEqual(lines.slice(0, 3), ['warm-up a (2 s, c64)', 'warm-up b (2 s, c64)', 'round 1/2 c1 a: ok'])
})
