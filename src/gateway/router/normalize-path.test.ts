import { test } from 'node:test'
import assert from 'node:assert/strict'
import { normalizePath } from './normalize-path.ts'
import { GatehouseError } from '../../core/errors/gatehouse-error.ts'

function code(path: string): string | undefined {
  try {
    normalizePath(path)
    return undefined
  } catch (error) {
    return (error as GatehouseError).code
  }
}

test('PATH-01: dot segments and repeated slashes are resolved before matching', () => {
  assert.equal(normalizePath('/public/../admin/users'), '/admin/users')
  assert.equal(normalizePath('/public/%2e%2e/admin/users'), '/admin/users')
  assert.equal(normalizePath('/public/.%2E/admin/users'), '/admin/users')
  assert.equal(normalizePath('//admin/users'), '/admin/users')
  assert.equal(normalizePath('/public///../admin/users'), '/admin/users')
  assert.equal(normalizePath('/../../etc/passwd'), '/etc/passwd')
  assert.equal(normalizePath('/a/./b/.'), '/a/b/')
  assert.equal(normalizePath('/a/b/..'), '/a/')
})

test('plain paths are returned as they are', () => {
  assert.equal(normalizePath('/v1/data'), '/v1/data')
  assert.equal(normalizePath('/v1/data/'), '/v1/data/')
  assert.equal(normalizePath('/'), '/')
})

test('PATH-03: encoded delimiters are refused, other escapes stay opaque', () => {
  assert.equal(code('/public%2F..%2Fadmin/users'), 'GH_ERR_ENCODED_PATH_DELIMITER')
  assert.equal(code('/api/files/a%2fb'), 'GH_ERR_ENCODED_PATH_DELIMITER')
  assert.equal(code('/api/a%5Cb'), 'GH_ERR_ENCODED_PATH_DELIMITER')
  assert.equal(code('/api/a%00b'), 'GH_ERR_BAD_PATH')
  assert.equal(code('/api/a\\b'), 'GH_ERR_BAD_PATH')
  assert.equal(code('/api/a%zz'), 'GH_ERR_BAD_PATH')
  assert.equal(code('/api/a%2'), 'GH_ERR_BAD_PATH')
  assert.equal(normalizePath('/api/a%3bb%3f%23'), '/api/a%3Bb%3F%23')
  assert.equal(normalizePath('/users/%6de'), '/users/me')
})

test('a request target that is not a path is refused', () => {
  assert.equal(code('*'), 'GH_ERR_BAD_PATH')
  assert.equal(code('admin'), 'GH_ERR_BAD_PATH')
})
