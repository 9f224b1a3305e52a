import assert from 'node:assert/strict'
import { test } from 'node:test'
import { cyclingFormScript, refreshChainScript, staticFormScript } from './wrk-scripts.ts'

test('the static script POSTs one form body with client_secret_basic', () => {
  const script = staticFormScript('Basic YTpi', 'grant_type=client_credentials')
  assert.match(script, /^wrk\.method = "POST"$/m)
  assert.match(script, /^wrk\.headers\["Content-Type"\] = "application\/x-www-form-urlencoded"$/m)
  assert.match(script, /^wrk\.headers\["Authorization"\] = \[\[Basic YTpi\]\]$/m)
  assert.match(script, /^wrk\.body = \[\[grant_type=client_credentials\]\]$/m)
  assert.doesNotMatch(script, /request = function/)
})

test('the cycling script goes through every body in turn', () => {
  const script = cyclingFormScript('Basic YTpi', ['grant_type=password&username=u1', 'grant_type=password&username=u2'])
  assert.match(script, /local bodies = \{ \[\[grant_type=password&username=u1\]\], \[\[grant_type=password&username=u2\]\] \}/)
  assert.match(script, /last = last % #bodies \+ 1/)
})

test('the refresh script reads its seed file, sends each token once and queues the answers\' tokens', () => {
  const script = refreshChainScript('Basic YTpi', '/tmp/run/refresh.tokens')
  assert.match(script, /io\.lines\(\[\[\/tmp\/run\/refresh\.tokens\]\]\)/)
  assert.match(script, /"grant_type=refresh_token&refresh_token=" \.\. token/)
  assert.match(script, /queue\[head\] = nil/)
  assert.match(script, /body:match\('"refresh_token":"\(\[\^"\]\+\)"'\)/)
})
