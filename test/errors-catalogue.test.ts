import { test } from 'node:test'
import assert from 'node:assert/strict'
import { readFileSync } from 'node:fs'
import { CATALOGUE } from '../src/core/errors/catalogue.ts'

// docs/errors.md is the public list of error codes; clients rely on it. This keeps the two equal.
const doc = readFileSync(new URL('../docs/errors.md', import.meta.url), 'utf8')
const documented = new Map([...doc.matchAll(/^\| `(GH_ERR_[A-Z_]+)` \| (\d{3}) \|/gm)].map((match) => [match[1], Number(match[2])]))

test('every catalogued error code is documented in docs/errors.md with its status', () => {
  for (const [code, entry] of Object.entries(CATALOGUE)) {
    assert.equal(documented.get(code), entry.status, `${code} missing or with a different status in docs/errors.md`)
  }
})

test('docs/errors.md documents no code the catalogue does not have', () => {
  for (const code of documented.keys()) assert.ok(code in CATALOGUE, `${code} is documented but not in the catalogue`)
})
