import assert from 'node:assert/strict'
import { test } from 'node:test'
import { queryParamName } from './query-param.ts'

test('query parameter names are read decoded and lower-cased, as the frameworks behind a gateway read them', () => {
  assert.equal(queryParamName('API_KEY=abc'), 'api_key')
  assert.equal(queryParamName('access%5Ftoken=x'), 'access_token')
  assert.equal(queryParamName('a+b=1'), 'a b')
  assert.equal(queryParamName('_method'), '_method')
  assert.equal(queryParamName('bad%zz=1'), 'bad%zz', 'malformed escapes are compared as written')
})
