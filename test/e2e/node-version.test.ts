// The command on a Node too old to strip types says so, instead of failing on its first .ts import.
import assert from 'node:assert/strict'
import { execFileSync, spawnSync } from 'node:child_process'
import { test } from 'node:test'
import { unsupportedNode } from '../../bin/node-version.js'
import { BIN } from '../helpers/cli.ts'

test('unsupportedNode: type stripping on by default from 22.18 and 23.6', () => {
  for (const version of ['v20.20.2', 'v22.17.1', 'v23.5.0', 'v18.0.0']) assert.match(unsupportedNode(version) ?? '', new RegExp(`Node\\.js 22\\.18 or later .*this is ${version.replace(/\./g, '\\.')}`), version)
  for (const version of ['v22.18.0', 'v22.20.1', 'v23.6.0', 'v24.21.0', 'v26.0.0']) assert.equal(unsupportedNode(version), undefined, version)
})

/** A `node` on PATH that is older than 22.18, e.g. the system's beside the pinned one. */
function olderNodeOnPath(): string | undefined {
  const candidates = execFileSync('which', ['-a', 'node'], { encoding: 'utf8' }).split('\n').filter((line) => line !== '')
  return candidates.find((candidate) => unsupportedNode(execFileSync(candidate, ['--version'], { encoding: 'utf8' }).trim()) !== undefined)
}

test('bin/gatehouse.js on an older Node exits 1 with the reason, not a stack trace', (t) => {
  const older = olderNodeOnPath()
  if (older === undefined) {
    t.skip('no Node older than 22.18 on PATH to run the command with')
    return
  }
  const run = spawnSync(older, [BIN, 'version'], { encoding: 'utf8' })
  assert.equal(run.status, 1)
  assert.match(run.stderr, /^gatehouse needs Node\.js 22\.18 or later/)
  assert.doesNotMatch(run.stderr, /ERR_UNKNOWN_FILE_EXTENSION|at /)
  assert.equal(run.stdout, '')
})
