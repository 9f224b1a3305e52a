import { test, describe } from 'node:test'
import assert from 'node:assert/strict'
import { mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { loadApiSpec, SpecError } from './index.ts'

const fixture = (path: string): string => fileURLToPath(new URL(`../../../test/fixtures/openapi/${path}`, import.meta.url))

const securityById = async (file: string) => Object.fromEntries((await loadApiSpec(fixture(file))).operations.map((op) => [op.operationId, op.security]))

describe('security', () => {
  test('2.0: operations inherit the document security; their own (even []) replaces it', async () => {
    assert.deepEqual(await securityById('swagger2/shop.yaml'), {
      listProducts: [],
      addProduct: [{ oauth: ['shop.write'] }],
      getProduct: [{ apiKey: [] }, { oauth: ['shop.read'] }],
      deleteProduct: [{ basicAuth: [] }],
      uploadImage: [{ apiKey: [] }, { oauth: ['shop.read'] }],
      login: [],
    })
  })

  test('3.0: the same rules, and schemes of one alternative stay together', async () => {
    assert.deepEqual(await securityById('oas30/shop.yaml'), {
      listProducts: [],
      addProduct: [{ oauth: ['shop.write'] }, { bearer: [] }],
      getProduct: [{ apiKey: [] }, { oauth: ['shop.read'] }],
      deleteProduct: [{ session: [], openId: ['admin'] }],
    })
  })

  test('no security anywhere is an empty list', async () => {
    const spec = await loadApiSpec(fixture('params.yaml'))
    for (const op of spec.operations) assert.deepEqual(op.security, [])
  })

  test('operations inheriting the document security get independent copies', async () => {
    const spec = await loadApiSpec(fixture('swagger2/shop.yaml'))
    const [first, second] = spec.operations.filter((op) => op.operationId === 'getProduct' || op.operationId === 'uploadImage')
    assert.notEqual(first.security, second.security)
    first.security[0].apiKey.push('changed')
    assert.deepEqual(second.security[0].apiKey, [])
  })

  test('2.0 schemes: basic becomes http basic, apiKey and oauth2 keep name, place and scopes', async () => {
    const { securitySchemes } = await loadApiSpec(fixture('swagger2/shop.yaml'))
    assert.deepEqual(securitySchemes, {
      basicAuth: { type: 'http', scheme: 'basic', pointer: '#/securityDefinitions/basicAuth' },
      apiKey: { type: 'apiKey', name: 'X-API-Key', in: 'header', pointer: '#/securityDefinitions/apiKey' },
      oauth: { type: 'oauth2', scopes: { 'shop.read': 'Read products', 'shop.write': 'Change products' }, pointer: '#/securityDefinitions/oauth' },
    })
  })

  test('3.x schemes: http scheme in lower case, oauth2 scopes of every flow together', async () => {
    const { securitySchemes } = await loadApiSpec(fixture('oas30/shop.yaml'))
    assert.deepEqual(securitySchemes.bearer, { type: 'http', scheme: 'bearer', bearerFormat: 'JWT', pointer: '#/components/securitySchemes/bearer' })
    assert.deepEqual(securitySchemes.session, { type: 'apiKey', name: 'SESSION', in: 'cookie', pointer: '#/components/securitySchemes/session' })
    assert.equal(securitySchemes.openId.openIdConnectUrl, 'https://shop.example.com/.well-known/openid-configuration')
    assert.deepEqual(securitySchemes.oauth.scopes, { 'shop.read': 'Read products', 'shop.write': 'Change products', 'shop.admin': 'Manage the shop' })
  })

  test('a requirement naming an undeclared scheme is an issue at that name', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'gatehouse-spec-'))
    try {
      const file = join(dir, 'api.yaml')
      await writeFile(file, [
        'openapi: 3.0.3',
        'info: { title: T, version: "1" }',
        'paths:',
        '  /data:',
        '    get:',
        '      security:',
        '        - api_x_auth: [api_x.r]',
        '      responses:',
        "        '200': { description: OK }",
        '',
      ].join('\n'))
      const error = await loadApiSpec(file).then(() => undefined, (caught: unknown) => caught)
      assert.ok(error instanceof SpecError)
      assert.deepEqual(error.issues, [{
        code: 'GH_ERR_CONFIG_SPEC',
        file,
        pointer: '#/paths/~1data/get/security/0/api_x_auth',
        line: 7,
        column: 11,
        message: 'security scheme "api_x_auth" is not declared in components.securitySchemes',
      }])
    } finally {
      await rm(dir, { recursive: true, force: true })
    }
  })
})
