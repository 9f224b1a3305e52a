// The example configuration `npm start` runs and the README walks through must stay valid,
// including the API it declares by its OpenAPI document.
import assert from 'node:assert/strict'
import { fileURLToPath } from 'node:url'
import { test } from 'node:test'
import { loadConfigFile } from '../../src/config/load.ts'
import { runCli } from '../helpers/cli.ts'

const EXAMPLE = fileURLToPath(new URL('../../examples/gatehouse.yaml', import.meta.url))

test('examples/gatehouse.yaml validates with gatehouse validate', async () => {
  const result = await runCli(['validate', EXAMPLE])
  assert.equal(result.code, 0, result.stderr)
  assert.match(result.stdout, /valid \(1 listeners, 1 upstreams, \d+ routes\)/)
})

test('its api_b entry becomes mocked routes with the document\'s scopes', async () => {
  const config = await loadConfigFile(EXAMPLE, { env: {}, onWarning: () => {} })
  const names = config.routes.map((route) => route.name)
  assert.ok(names.includes('api_b.getData') && names.includes('api_b.addData'), names.join(', '))
  const getData = config.routes.find((route) => route.name === 'api_b.getData')!
  assert.deepEqual(getData.paths, ['/api-b/v1/data'])
  assert.deepEqual((getData.policies.jwt as { scopes: string[] }).scopes, ['api_b.r'])
  assert.ok(getData.policies['openapi-mock'] !== undefined)
})
