import assert from 'node:assert/strict'
import { test } from 'node:test'
import { luaString } from './lua.ts'

test('Lua string literals: a long bracket whose level the text cannot close, nothing escaped', () => {
  assert.equal(luaString('grant_type=client_credentials'), '[[grant_type=client_credentials]]')
  assert.equal(luaString('a"b\\c\'d'), '[[a"b\\c\'d]]')
  assert.equal(luaString('a]]b'), '[=[a]]b]=]')
  assert.equal(luaString('a]]b]=]c'), '[==[a]]b]=]c]==]')
  assert.equal(luaString(''), '[[]]')
})
