import assert from 'node:assert/strict'
import { spawnSync } from 'node:child_process'
import { existsSync } from 'node:fs'
import { test } from 'node:test'
import type { BenchIo } from '../scenarios/scenario.ts'
import { BenchError } from './errors.ts'
import { bar } from './figures.ts'
import { coresText, defineScenario, runScenario, skippedNotes, upstreamFlag, type ScenarioRun, type ScenarioSpec } from './scenario-run.ts'

function capture(): BenchIo & { stdout: string; stderr: string } {
  const io = { stdout: '', stderr: '', out: (text: string) => void (io.stdout += text), err: (text: string) => void (io.stderr += text) }
  return io
}

const OPTIONS = { level: { type: 'string' } } as const

/** A scenario that measures nothing: it reports the run it was given and one bar of `value` ≥ 1. */
function spec(value: number, seen: ScenarioRun[] = [], dirs: string[] = []): ScenarioSpec<typeof OPTIONS, { level: string }> {
  return {
    name: 'fake',
    summary: 'a scenario for the frame\'s tests',
    help: 'gatehouse bench fake [options]',
    options: OPTIONS,
    defaultConnections: [8, 16],
    settings(flags) {
      if (flags.level === 'bad') throw new BenchError('--level: bad', 2)
      return { level: flags.level ?? 'low' }
    },
    async measure(run, settings) {
      seen.push(run)
      dirs.push(run.scope.tempDir('gatehouse-bench-frame-test'))
      return {
        title: `fake: level ${settings.level}, ${coresText(run.pinning, 'server', 'wrk')}`,
        report: 'the tables',
        notes: ['skipped x: why'],
        bars: [bar('value ≥ 1', 'value', value, '>=', 1)],
        json: () => ({ scenario: 'fake', connections: run.connections, settings: run.context }),
      }
    },
  }
}

const wrkMissing = spawnSync('wrk', ['-v']).error !== undefined

test('--help prints the help and starts nothing', async () => {
  const io = capture()
  assert.equal(await runScenario(spec(2), ['--help'], io), 0)
  assert.equal(io.stdout, 'gatehouse bench fake [options]\n')
  assert.equal(defineScenario(spec(2)).help, 'gatehouse bench fake [options]')
})

test('flag mistakes are usage errors before anything starts', async () => {
  const seen: ScenarioRun[] = []
  const usage = (pattern: RegExp) => (error: unknown): boolean => error instanceof BenchError && error.exitCode === 2 && pattern.test(error.message)
  await assert.rejects(runScenario(spec(2, seen), ['--levels', 'x'], capture()), usage(/--levels[\s\S]*gatehouse bench fake --help/))
  await assert.rejects(runScenario(spec(2, seen), ['--rounds', '0'], capture()), usage(/--rounds/))
  await assert.rejects(runScenario(spec(2, seen), ['--level', 'bad'], capture()), usage(/--level: bad/))
  assert.equal(seen.length, 0)
})

test('a run: the title with rounds and duration, the tables, the notes, the JSON line last; the scope closed', { skip: wrkMissing && 'wrk is not installed' }, async () => {
  const seen: ScenarioRun[] = []
  const dirs: string[] = []
  const io = capture()
  assert.equal(await runScenario(spec(2, seen, dirs), ['--rounds', '2', '--duration', '3', '--warmup', '0', '--level', 'high', '--json'], io), 0)
  const [run] = seen
  assert.deepEqual([run.rounds, run.durationS, run.warmupS, run.connections], [2, 3, 0, [8, 16]])
  const lines = io.stdout.split('\n')
  assert.match(lines[0], /^fake: level high, (unpinned|server on core \d+, wrk on core \d+); 2 round\(s\) × 3 s, medians$/)
  assert.deepEqual(lines.slice(1, 4), ['', 'the tables', 'skipped x: why'])
  const json = JSON.parse(lines[4]) as { connections: number[]; settings: Record<string, unknown> }
  assert.deepEqual(json.connections, [8, 16])
  assert.deepEqual(Object.keys(json.settings), ['pinning', 'durationS', 'rounds', 'warmupS', 'loadAvg1m'])
  assert.equal(lines[5], '')
  assert.equal(lines.length, 6)
  assert.equal(dirs.length, 1)
  assert.equal(existsSync(dirs[0]), false, 'the run\'s temp dir is gone')
})

test('--check: exit 1 when a bar is not passed, 0 without --check', { skip: wrkMissing && 'wrk is not installed' }, async () => {
  const io = capture()
  assert.equal(await runScenario(spec(0.5), ['--check', '--rounds', '1'], io), 1)
  assert.match(io.stderr, /--check: 1 bar\(s\) not passed: value FAIL/)
  assert.doesNotMatch(io.stdout, /^\{/m, 'no JSON without --json')
  assert.equal(await runScenario(spec(0.5), ['--rounds', '1'], capture()), 0)
  assert.equal(await runScenario(spec(2), ['--check', '--rounds', '1'], capture()), 0)
})

test('skipped notes: the first line of the reason, or with a pointer to the output on stderr', () => {
  const skipped = { nginx: 'nginx is not installed', gatehouse: 'gatehouse exited early; its last output:\nline 1\nline 2' }
  assert.deepEqual(skippedNotes(skipped), ['skipped nginx: nginx is not installed', 'skipped gatehouse: gatehouse exited early; its last output:'])
  assert.deepEqual(skippedNotes(skipped, { pointToStderr: true }), [
    'skipped nginx: nginx is not installed',
    'skipped gatehouse: gatehouse exited early; its last output (its output is on stderr above)',
  ])
})

test('cores and the upstream flag', () => {
  assert.equal(coresText(undefined, 'gateway', 'wrk'), 'unpinned')
  assert.equal(coresText({ proxyCpu: 2, loadCpu: 3 }, 'proxies', 'wrk + upstream'), 'proxies on core 2, wrk + upstream on core 3')
  assert.equal(upstreamFlag(undefined), 'auto')
  assert.equal(upstreamFlag('node'), 'node')
  assert.throws(() => upstreamFlag('haproxy'), (error: unknown) => error instanceof BenchError && error.exitCode === 2 && /--upstream must be one of auto, nginx, node/.test(error.message))
})
