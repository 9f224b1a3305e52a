import assert from 'node:assert/strict'
import { test } from 'node:test'
import { startBenchUpstream } from '../../lib/bench-upstream.ts'
import { requestOnce } from '../../lib/http-request.ts'
import { RunScope } from '../../lib/run-scope.ts'
import { fetchTokens, fetchTokensFromAnotherProcess, PREFIXES, startSecurityGateway } from './gateway.ts'

test('oauth-fresh tokens come from a second process sharing the store, and the gateway accepts them', async () => {
  const scope = new RunScope()
  try {
    const upstream = await startBenchUpstream(scope, { choice: 'node' })
    const gateway = await startSecurityGateway(scope, upstream, undefined, 'ES256')
    const [own] = await fetchTokens(gateway, 1, 1)
    const fresh = await fetchTokensFromAnotherProcess(scope, gateway, 3)
    assert.equal(new Set(fresh).size, 3)
    const claimsOf = (token: string): Record<string, unknown> => JSON.parse(Buffer.from(token.split('.')[1], 'base64url').toString()) as Record<string, unknown>
    const headerOf = (token: string): Record<string, unknown> => JSON.parse(Buffer.from(token.split('.')[0], 'base64url').toString()) as Record<string, unknown>
    for (const token of fresh) {
      assert.equal(claimsOf(token).iss, gateway.origin, 'the second process issues in the gateway\'s name')
      assert.equal(headerOf(token).kid, headerOf(own).kid, 'with the same signing key, from the shared store')
      const answer = await requestOnce(`${gateway.origin}${PREFIXES.oauth}${upstream.path}`, { headers: { authorization: `Bearer ${token}` } })
      assert.equal(answer.status, 200, answer.body)
      assert.equal(answer.body, upstream.body)
    }
    const tampered = `${fresh[0].slice(0, -4)}AAAA`
    const refused = await requestOnce(`${gateway.origin}${PREFIXES.oauth}${upstream.path}`, { headers: { authorization: `Bearer ${tampered}` } })
    assert.equal(refused.status, 401, 'its signature is checked, not taken on trust')
  } finally {
    await scope.close()
  }
})
