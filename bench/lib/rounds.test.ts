import assert from 'node:assert/strict'
import { test } from 'node:test'
import { rotate } from './rounds.ts'

test('each round starts with the next target, so none is always measured first', () => {
  const targets = ['direct', 'gatehouse', 'nginx', 'reference']
  assert.deepEqual([0, 1, 2, 3, 4].map((round) => rotate(targets, round)[0]), ['direct', 'gatehouse', 'nginx', 'reference', 'direct'])
  assert.deepEqual(rotate(targets, 1), ['gatehouse', 'nginx', 'reference', 'direct'])
  assert.deepEqual(rotate([], 3), [])
})
