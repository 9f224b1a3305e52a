import assert from 'node:assert/strict'
import { test } from 'node:test'
import { parseCpuList, pinnedArgv } from './cpus.ts'

test('affinity lists in taskset\'s forms', () => {
  assert.deepEqual(parseCpuList('0,1'), [0, 1])
  assert.deepEqual(parseCpuList('0-3'), [0, 1, 2, 3])
  assert.deepEqual(parseCpuList('0-1,4\n'), [0, 1, 4])
  assert.deepEqual(parseCpuList('2'), [2])
  assert.deepEqual(parseCpuList(''), [])
})

test('pinning wraps the command in taskset; no core leaves it alone', () => {
  assert.deepEqual(pinnedArgv(1, 'wrk', ['-c64', 'http://x']), ['taskset', ['-c', '1', 'wrk', '-c64', 'http://x']])
  assert.deepEqual(pinnedArgv(undefined, 'wrk', ['-c64']), ['wrk', ['-c64']])
})
