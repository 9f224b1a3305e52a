import assert from 'node:assert/strict'
import { test } from 'node:test'
import { BenchError } from './errors.ts'
import { choiceListFlag, COMMON_HELP, COMMON_OPTIONS, integerListFlag, numberFlag, OUTPUT_HELP, parseScenarioArgs, roundsHelp, targetsHelp } from './options.ts'

const usageError = (pattern: RegExp) => (error: unknown): boolean => error instanceof BenchError && error.exitCode === 2 && pattern.test(error.message)

test('numbers: default, accepted values and refusals that name the flag', () => {
  assert.equal(numberFlag('duration', undefined, 10, { min: 1, integer: true }), 10)
  assert.equal(numberFlag('duration', '3', 10, { min: 1, integer: true }), 3)
  assert.equal(numberFlag('warmup', '0', 2, { min: 0, integer: true }), 0)
  assert.throws(() => numberFlag('duration', '0', 10, { min: 1, integer: true }), usageError(/--duration must be an integer ≥ 1, got "0"/))
  assert.throws(() => numberFlag('duration', '1.5', 10, { min: 1, integer: true }), usageError(/--duration/))
  assert.throws(() => numberFlag('duration', '', 10, { min: 1 }), usageError(/--duration/))
})

test('connection lists', () => {
  assert.deepEqual(integerListFlag('connections', undefined, [64, 256]), [64, 256])
  assert.deepEqual(integerListFlag('connections', '32, 64,32', [64]), [32, 64])
  assert.throws(() => integerListFlag('connections', '64,', [64]), usageError(/--connections must be a comma-separated list/))
  assert.throws(() => integerListFlag('connections', '-1', [64]), usageError(/--connections/))
})

test('target lists keep the canonical order and refuse unknown names', () => {
  assert.deepEqual(choiceListFlag('targets', 'reference,direct', ['direct', 'gatehouse', 'reference']), ['direct', 'reference'])
  assert.throws(() => choiceListFlag('targets', 'direct,haproxy', ['direct', 'reference']), usageError(/unknown value\(s\) "haproxy"/))
})

test('unknown flags are usage errors pointing at --help', () => {
  assert.throws(() => parseScenarioArgs('passthrough', ['--durations', '3'], COMMON_OPTIONS), usageError(/--durations[\s\S]*gatehouse bench passthrough --help/))
  assert.equal(parseScenarioArgs('passthrough', ['--json'], COMMON_OPTIONS).json, true)
})

test('help lines: the connection default and its note, the target list, every line in the same columns', () => {
  assert.match(roundsHelp('64', '; bars use the highest'), /^ {2}--connections LIST {2}comma-separated connection counts \(default 64\); bars use the highest$/m)
  assert.match(targetsHelp(['direct', 'gatehouse']), /^ {2}--targets LIST {6}some of direct,gatehouse \(default: all\)$/m)
  assert.equal(COMMON_HELP, `${roundsHelp('1,64,256')}\n${OUTPUT_HELP}`)
  for (const line of [roundsHelp('64'), OUTPUT_HELP, targetsHelp(['a'])].join('\n').split('\n')) assert.match(line, /^ {2}-.{17} {2}\S/)
})
