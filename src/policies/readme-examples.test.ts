import assert from 'node:assert/strict'
import { existsSync, readdirSync, readFileSync } from 'node:fs'
import { describe, it } from 'node:test'
import { parse } from 'yaml'
import { POLICIES } from './index.ts'
import { settingsProblems } from './test-settings.ts'

// Each policy's README carries an example route; it must stay a valid configuration.
describe('policy READMEs', () => {
  for (const [name, definition] of Object.entries(POLICIES)) {
    it(`${name}: is registered under its folder name and its README example is valid`, () => {
      assert.equal(definition.name, name)
      const readme = readFileSync(new URL(`./${name}/README.md`, import.meta.url), 'utf8')
      const example = /```yaml\n([\s\S]*?)```/.exec(readme)
      assert.ok(example, `${name}/README.md has a yaml example`)
      if (definition.internal === true) {
        // Set up from an API's document: the example shows the `apis` entry that enables it.
        const apis = parse(example[1]).apis
        assert.ok(Array.isArray(apis) && typeof apis[0].spec === 'string', `${name}/README.md example declares an API`)
        return
      }
      const settings = parse(example[1]).routes[0].policies[name]
      assert.ok(settings !== undefined, `${name}/README.md example configures ${name}`)
      assert.deepEqual(settingsProblems(definition, settings), [])
    })
  }

  it('registers exactly the policies that have a folder here', () => {
    const folders = readdirSync(new URL('.', import.meta.url), { withFileTypes: true })
      .filter((entry) => entry.isDirectory() && existsSync(new URL(`./${entry.name}/policy.ts`, import.meta.url)))
      .map((entry) => entry.name)
      .sort()
    assert.ok(folders.length >= 5, `found policy folders: ${folders.join(', ')}`)
    assert.deepEqual(Object.keys(POLICIES).sort(), folders)
  })
})
