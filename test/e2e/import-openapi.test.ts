// `gatehouse import openapi`: the section it prints for a document, and that section loading as
// written next to a config's listeners and key manager.
import assert from 'node:assert/strict'
import { readFile, writeFile } from 'node:fs/promises'
import { fileURLToPath } from 'node:url'
import { after, before, describe, test } from 'node:test'
import { parse } from 'yaml'
import { loadConfigFile } from '../../src/config/load.ts'
import { runCli, tempDir } from '../helpers/cli.ts'

const fixture = (name: string): string => fileURLToPath(new URL(`../fixtures/openapi/${name}`, import.meta.url))
const API_A = fixture('swagger2/api_a.yaml')

const LISTENERS = 'listeners: [{ name: public, protocol: http, host: 127.0.0.1, port: 8080 }]\n'
const KEY_MANAGER = 'keyManager: { issuer: https://gatehouse.test/oauth2, adminToken: registry-admin-token-0123456789 }\n'

let temp: Awaited<ReturnType<typeof tempDir>>

before(async () => {
  temp = await tempDir('gatehouse-import-')
})

after(async () => {
  await temp?.remove()
})

/** The YAML part of the section (comments are ignored by the parser). */
interface Section {
  upstreams: Record<string, { targets: string[] }>
  apis: Array<{ name: string; spec: string; upstream: string; security?: Record<string, { jwt?: { issuers: Array<Record<string, unknown>> } }> }>
}

describe('gatehouse import openapi', () => {
  test('api_a (Swagger 2.0, no host): a placeholder upstream, and each operation with its scopes as a comment', async () => {
    const result = await runCli(['import', 'openapi', API_A, '--config', temp.file('none.yaml')])
    assert.equal(result.code, 0, result.stderr)
    const lines = result.stdout.split('\n')
    assert.ok(lines.includes('# The document names no server: replace the upstream target below.'), result.stdout)
    assert.ok(lines.some((line) => /^# +GET +\/data +\(getData\) +api_a_auth \[api_a\.r\]$/.test(line)), result.stdout)
    assert.ok(lines.some((line) => /^# +POST +\/data +\(addData\) +api_a_auth \[api_a\.w\]$/.test(line)), result.stdout)
    assert.ok(lines.includes('# Operations (served under /v1):'), result.stdout)
    const section = parse(result.stdout) as Section
    // The name defaults to the document's title ("API A").
    assert.deepEqual(section.upstreams, { 'api-a': { targets: ['http://127.0.0.1:8000'] } })
    assert.equal(section.apis[0].name, 'api-a')
    // Without a key manager in the config, an issuer to fill in.
    assert.equal(section.apis[0].security?.api_a_auth.jwt?.issuers[0].issuer, 'https://issuer.example')
  })

  test('a document with a host: the upstream is that host', async () => {
    const spec = temp.file('with-host.yaml')
    await writeFile(spec, (await readFile(API_A, 'utf8')).replace('basePath: /v1', 'host: api-a.internal:8081\nbasePath: /v1'))
    const result = await runCli(['import', 'openapi', spec])
    assert.equal(result.code, 0, result.stderr)
    assert.deepEqual((parse(result.stdout) as Section).upstreams['api-a'].targets, ['http://api-a.internal:8081'])
    assert.doesNotMatch(result.stdout, /replace the upstream target/)
  })

  test('an https-only server is named, not used: upstream targets are http', async () => {
    const result = await runCli(['import', 'openapi', fixture('oas30/shop.yaml')])
    assert.equal(result.code, 0, result.stderr)
    // Server variables take their defaults.
    assert.match(result.stdout, /^# The document's server is https:\/\/shop\.example\.com; upstream targets are http only/m)
    assert.deepEqual((parse(result.stdout) as Section).upstreams.shop.targets, ['http://127.0.0.1:8000'])
  })

  test('operations that cannot load as described are marked with the reason', async () => {
    const result = await runCli(['import', 'openapi', fixture('swagger2/shop.yaml')])
    assert.equal(result.code, 0, result.stderr)
    assert.match(result.stdout, /^# +DELETE +\/products\/\{productId\} +\(deleteProduct\) +basicAuth\n# +! scheme "basicAuth" \(http basic\) cannot be enforced/m)
    assert.match(result.stdout, /^# Operations marked ! stop the config from loading/m)
    const clean = await runCli(['import', 'openapi', API_A])
    assert.doesNotMatch(clean.stdout, /!/)
  })

  test('written next to listeners and keyManager, the section loads into the routes of the document', async () => {
    const config = temp.file('gatehouse.yaml')
    await writeFile(config, LISTENERS + KEY_MANAGER)
    const result = await runCli(['import', 'openapi', API_A, '--name', 'api_a', '--config', config])
    assert.equal(result.code, 0, result.stderr)
    const section = parse(result.stdout) as Section
    // The config has a key manager: OAuth schemes trust it; the spec path is relative to the config.
    assert.deepEqual(section.apis[0].security?.api_a_auth.jwt?.issuers, [{ keyManager: true }])
    assert.doesNotMatch(section.apis[0].spec, /^\//)
    await writeFile(config, LISTENERS + KEY_MANAGER + result.stdout)
    const loaded = await loadConfigFile(config, { env: {}, onWarning: () => {} })
    assert.deepEqual(loaded.routes.map((route) => [route.name, route.methods, route.paths, route.upstream]), [
      ['api_a.getData', ['GET', 'HEAD'], ['/v1/data'], 'api_a'],
      ['api_a.addData', ['POST'], ['/v1/data'], 'api_a'],
    ])
    assert.deepEqual((loaded.routes[0].policies.jwt as { scopes: string[] }).scopes, ['api_a.r'])
    assert.deepEqual(loaded.upstreams.api_a.targets.map((target) => target.url), ['http://127.0.0.1:8000'])
  })

  test('--upstream and --name are honoured; --out writes the section to a file', async () => {
    const out = temp.file('section.yaml')
    const result = await runCli(['import', 'openapi', API_A, '--upstream', 'http://127.0.0.1:9999', '--name', 'a', '--out', out])
    assert.equal(result.code, 0, result.stderr)
    assert.equal(result.stdout, '')
    const written = await readFile(out, 'utf8')
    const section = parse(written) as Section
    assert.deepEqual(section.upstreams, { a: { targets: ['http://127.0.0.1:9999'] } })
    assert.deepEqual([section.apis[0].name, section.apis[0].upstream], ['a', 'a'])
    assert.doesNotMatch(written, /replace the upstream target/)
  })

  test('a broken document exits 1 with its issue on stderr; a wrong call exits 2', async () => {
    const broken = await runCli(['import', 'openapi', fixture('broken/unresolved-ref.yaml')])
    assert.equal(broken.code, 1)
    assert.equal(broken.stdout, '')
    assert.match(broken.stderr, /unresolved-ref\.yaml:16:17 #\/paths\/~1data\/get\/.*cannot be resolved/)
    const missing = await runCli(['import', 'openapi', temp.file('nope.yaml')])
    assert.equal(missing.code, 1)
    assert.match(missing.stderr, /nope\.yaml.*does not exist/)
    const usage = await runCli(['import', 'swagger', API_A])
    assert.equal(usage.code, 2)
    assert.match(usage.stderr, /expected "openapi <spec>"/)
  })
})
