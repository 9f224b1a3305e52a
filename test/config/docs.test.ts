import assert from 'node:assert/strict'
import { readFile } from 'node:fs/promises'
import { describe, test } from 'node:test'
import { renderConfigurationDoc } from '../../src/config/docs.ts'
import { CONFIG_SCHEMA, type SchemaNode } from '../../src/config/schema.ts'

const DOC = new URL('../../docs/configuration.md', import.meta.url)

describe('docs/configuration.md', () => {
  test('the committed file is what the generator produces (run: npx node src/config/generate-docs.ts)', async () => {
    assert.equal(await readFile(DOC, 'utf8'), renderConfigurationDoc())
  })

  test('every schema field has a description and every object refuses unknown fields', () => {
    const problems: string[] = []
    const visit = (node: SchemaNode, label: string): void => {
      if (node.description === undefined || node.description === '') problems.push(`${label}: no description`)
      if ([node.type].flat().includes('object') && node.properties !== undefined && node.additionalProperties !== false) problems.push(`${label}: additionalProperties is not false`)
      for (const [key, child] of Object.entries(node.properties ?? {})) visit(child, `${label}.${key}`)
      if (typeof node.additionalProperties === 'object') visit(node.additionalProperties, `${label}.<name>`)
      if (node.items !== undefined) visit(node.items, `${label}[]`)
    }
    visit(CONFIG_SCHEMA, '(file)')
    assert.deepEqual(problems, [])
  })
})
