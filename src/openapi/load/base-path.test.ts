import { test, describe } from 'node:test'
import assert from 'node:assert/strict'
import { fileURLToPath } from 'node:url'
import { basePathOf } from './base-path.ts'
import { loadApiSpec } from './index.ts'

const fixture = (path: string): string => fileURLToPath(new URL(`../../../test/fixtures/openapi/${path}`, import.meta.url))

describe('basePath', () => {
  test('2.0: basePath as written, without a trailing slash; / and none are empty', () => {
    assert.equal(basePathOf('2.0', { basePath: '/v1' }), '/v1')
    assert.equal(basePathOf('2.0', { basePath: '/api/' }), '/api')
    assert.equal(basePathOf('2.0', { basePath: '/' }), '')
    assert.equal(basePathOf('2.0', {}), '')
  })

  test('3.x: the path of the first server URL, absolute or relative, variables set to their defaults', () => {
    assert.equal(basePathOf('3.0', { servers: [{ url: '/v1' }, { url: '/v2' }] }), '/v1')
    assert.equal(basePathOf('3.0', { servers: [{ url: 'https://api.example.com/base/' }] }), '/base')
    assert.equal(basePathOf('3.1', { servers: [{ url: 'https://api.example.com' }] }), '')
    assert.equal(basePathOf('3.0', { servers: [{ url: '/' }] }), '')
    assert.equal(basePathOf('3.0', {}), '')
    assert.equal(basePathOf('3.0', { servers: [{ url: 'v1/data?x=1' }] }), '/v1/data')
    assert.equal(basePathOf('3.0', { servers: [{ url: '//cdn.example.com/assets' }] }), '/assets')
    assert.equal(basePathOf('3.0', { servers: [{ url: '{scheme}://{host}/{base}/v{major}', variables: { scheme: { default: 'https' }, host: { default: 'example.com' }, base: { default: 'api' }, major: { default: '2' } } }] }), '/api/v2')
  })

  test('documents: server variables (oas30/shop.yaml, multi-file/api.yaml) and basePath (swagger2/shop.yaml)', async () => {
    assert.equal((await loadApiSpec(fixture('oas30/shop.yaml'))).basePath, '/api/v1')
    assert.equal((await loadApiSpec(fixture('multi-file/api.yaml'))).basePath, '/api/v2')
    assert.equal((await loadApiSpec(fixture('swagger2/shop.yaml'))).basePath, '/api')
    assert.equal((await loadApiSpec(fixture('broken/circular-ref.yaml'))).basePath, '')
  })
})
