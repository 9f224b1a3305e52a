// Helpers for the config tests: real files in a fresh temp directory, and short assertions on the
// issues a ConfigError carries.
import assert from 'node:assert/strict'
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { dirname, join } from 'node:path'
import { ConfigError, type ConfigIssue } from '../../src/config/issues.ts'

export interface TempDir {
  dir: string
  /** Writes `text` to `name` (creating folders) and returns the absolute path. */
  write: (name: string, text: string) => Promise<string>
  remove: () => Promise<void>
}

export async function makeTempDir(): Promise<TempDir> {
  const dir = await mkdtemp(join(tmpdir(), 'gatehouse-config-'))
  return {
    dir,
    write: async (name, text) => {
      const file = join(dir, name)
      await mkdir(dirname(file), { recursive: true })
      await writeFile(file, text)
      return file
    },
    remove: () => rm(dir, { recursive: true, force: true }),
  }
}

/** Joins lines, so tests can count line numbers at a glance. */
export function yaml(...lines: string[]): string {
  return lines.join('\n') + '\n'
}

export const MINIMAL = yaml(
  'listeners:',
  '  - name: main',
  '    port: 8080',
)

/** Runs `load`, which must fail with a ConfigError, and returns its issues. */
export async function issuesOf(load: () => unknown): Promise<ConfigIssue[]> {
  try {
    await load()
  } catch (error) {
    assert.ok(error instanceof ConfigError, `expected a ConfigError, got ${String(error)}`)
    assert.ok(error.issues.length > 0)
    return error.issues
  }
  assert.fail('the config was accepted')
}

/** The single issue with `code`; fails when there is none or more than one. */
export function onlyIssue(issues: readonly ConfigIssue[], code: ConfigIssue['code']): ConfigIssue {
  const matching = issues.filter((issue) => issue.code === code)
  assert.equal(matching.length, 1, `expected one ${code}, got: ${JSON.stringify(issues, null, 1)}`)
  return matching[0]
}
