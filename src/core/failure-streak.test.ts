import assert from 'node:assert/strict'
import { test } from 'node:test'
import { FailureStreak } from './failure-streak.ts'

test('FailureStreak: only the first failure of a streak and the success that ends it are worth a line', () => {
  const streak = new FailureStreak()
  assert.deepEqual([streak.succeeded(), streak.failing], [false, false], 'a success outside a streak')
  assert.deepEqual([streak.failed(), streak.failed(), streak.failed(), streak.failing], [true, false, false, true])
  assert.deepEqual([streak.succeeded(), streak.succeeded(), streak.failing], [true, false, false])
  assert.equal(streak.failed(), true, 'a new streak is reported again')
})
