import assert from 'node:assert/strict'
import { spawn, spawnSync } from 'node:child_process'
import { existsSync, readFileSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import { test } from 'node:test'
import { setTimeout as sleep } from 'node:timers/promises'
import { RunScope } from './run-scope.ts'

const FIXTURE = fileURLToPath(new URL('./run-scope.fixture.ts', import.meta.url))

/** Live members of a process group (zombies waiting for a reaper do not count). */
function groupMembers(group: number): number[] {
  const result = spawnSync('ps', ['-o', 'pid=,stat=', '-g', String(group)], { encoding: 'utf8' })
  return result.stdout.split('\n').map((line) => line.trim().split(/\s+/)).filter(([pid, stat]) => pid !== '' && !stat?.startsWith('Z')).map(([pid]) => Number(pid))
}

async function untilGone(group: number, timeoutMs = 5000): Promise<number[]> {
  const deadline = Date.now() + timeoutMs
  let members = groupMembers(group)
  while (members.length > 0 && Date.now() < deadline) {
    await sleep(50)
    members = groupMembers(group)
  }
  return members
}

function runFixture(mode: 'exit' | 'signal'): Promise<{ group: number; code: number | null; signal: NodeJS.Signals | null }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [FIXTURE, mode], { stdio: ['ignore', 'pipe', 'inherit'] })
    let group = -1
    child.stdout.setEncoding('utf8')
    child.stdout.on('data', (text: string) => {
      group = (JSON.parse(text.trim()) as { group: number }).group
      if (mode === 'signal') child.kill('SIGINT')
    })
    child.on('error', reject)
    child.on('close', (code, signal) => resolve({ group, code, signal }))
  })
}

test('close() stops a child and everything it forked, and removes temp dirs', async () => {
  const scope = new RunScope()
  const dir = scope.tempDir('gatehouse-scope-test')
  const parent = scope.spawn('sleepers', 'sh', ['-c', 'sleep 60 & sleep 60; wait'])
  await sleep(200)
  assert.equal(groupMembers(parent.pid).length >= 3, true, 'sh and both sleeps are running')
  await scope.close()
  assert.deepEqual(await untilGone(parent.pid), [])
  assert.equal(existsSync(dir), false)
})

test('closing a subscope stops only its own processes', async () => {
  const scope = new RunScope()
  const kept = scope.spawn('kept', 'sleep', ['60'])
  const own = scope.subscope()
  const dropped = own.spawn('dropped', 'sleep', ['60'])
  await own.close()
  assert.equal(dropped.hasExited(), true)
  assert.equal(kept.hasExited(), false)
  await scope.close()
  assert.equal(kept.hasExited(), true)
})

test('the output of a child is kept for parsing and error messages', async () => {
  const scope = new RunScope()
  const echo = scope.spawn('echo', 'sh', ['-c', 'echo out; echo err >&2; exit 4'])
  assert.deepEqual(await echo.exited, { code: 4, signal: null })
  assert.match(echo.output(), /out\n/)
  assert.match(echo.output(), /err\n/)
  await scope.close()
})

test('a pinned child runs on the requested core only', { skip: spawnSync('taskset', ['-V']).error !== undefined ? 'taskset not installed' : false }, async () => {
  const scope = new RunScope()
  const pinned = scope.spawn('pinned', 'sleep', ['60'], { cpu: 0 })
  await sleep(100)
  const status = readFileSync(`/proc/${pinned.pid}/status`, 'utf8')
  assert.match(status, /^Cpus_allowed_list:\s*0$/m)
  await scope.close()
})

test('process exit leaves no orphan behind', async () => {
  const { group, code } = await runFixture('exit')
  assert.equal(code, 3)
  assert.ok(group > 0)
  assert.deepEqual(await untilGone(group), [])
})

test('Ctrl-C (SIGINT) stops the children and exits with 130', async () => {
  const { group, code } = await runFixture('signal')
  assert.equal(code, 130)
  assert.deepEqual(await untilGone(group), [])
})
