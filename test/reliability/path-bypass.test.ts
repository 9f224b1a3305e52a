import { test, after, before } from 'node:test'
import assert from 'node:assert/strict'
import { startGateway, type TestGateway } from '../helpers/gateway.ts'
import { rawExchange, startUpstream, statusCodes, type TestUpstream } from '../helpers/servers.ts'

// `/public` is open; `/admin` stands for a protected area: its ip-restriction allows only a
// documentation range, so the test client (127.0.0.1) is refused with 403 whenever the admin
// route's policies apply. A path that reaches the upstream through `/public` while meaning
// `/admin` would be a bypass. Paths are sent as raw bytes: HTTP clients normalise them.
let upstream: TestUpstream
let gw: TestGateway

before(async () => {
  upstream = await startUpstream()
  gw = await startGateway(`
upstreams: { backend: { targets: ['${upstream.url}'] } }
routes:
  - { name: public, paths: [/public], upstream: backend }
  - name: admin
    paths: [/admin]
    upstream: backend
    policies: { ip-restriction: { allow: [203.0.113.0/24] } }
  - { name: api, paths: [/api], stripPath: true, upstream: backend }
`)
})

after(async () => {
  await gw.stop()
  await upstream.close()
})

interface Outcome {
  status: number
  code: string | undefined
  forwarded: string[]
}

async function send(path: string, headers = ''): Promise<Outcome> {
  const before = upstream.seen.length
  const raw = await rawExchange(gw.port, `GET ${path} HTTP/1.1\r\nHost: gw.example\r\n${headers}Connection: close\r\n\r\n`)
  const statuses = statusCodes(raw)
  assert.equal(statuses.length, 1, `${path}: one response, got ${JSON.stringify(raw.slice(0, 120))}`)
  return { status: statuses[0], code: /"code":"([A-Z_]+)"/.exec(raw)?.[1], forwarded: upstream.seen.slice(before).map((seen) => seen.url) }
}

async function refusedByAdminPolicy(path: string): Promise<void> {
  const outcome = await send(path)
  assert.deepEqual(outcome, { status: 403, code: 'GH_ERR_IP_FORBIDDEN', forwarded: [] }, path)
}

test('the setup: /public is forwarded, /admin is refused by its policy', async () => {
  assert.deepEqual(await send('/public/users'), { status: 200, code: undefined, forwarded: ['/public/users'] })
  await refusedByAdminPolicy('/admin/users')
})

test('PATH-01: dot segments, encoded dots and repeated slashes resolve to /admin before matching', async () => {
  for (const path of ['/public/../admin/users', '/public/%2e%2e/admin/users', '/public/.%2E/admin/users', '/public/%2E./admin/users', '//admin/users', '/public///../admin/users', '/public/./../admin/users']) {
    await refusedByAdminPolicy(path)
  }
})

test('PATH-01: dot segments cannot climb above the root', async () => {
  await refusedByAdminPolicy('/../../admin/users')
  await refusedByAdminPolicy('/public/../../../admin/users')
})

test('PATH-03: an encoded "/" or "\\" is refused with GH_ERR_ENCODED_PATH_DELIMITER, never decoded into a route', async () => {
  for (const path of ['/public%2F..%2Fadmin/users', '/public%2f..%2fadmin/users', '/public/..%2Fadmin/users', '/public/..%5Cadmin/users']) {
    assert.deepEqual(await send(path), { status: 400, code: 'GH_ERR_ENCODED_PATH_DELIMITER', forwarded: [] }, path)
  }
})

test('PATH-03: an encoded NUL is always 400', async () => {
  for (const path of ['/public/a%00b', '/admin/users%00', '/public/%00/../admin']) {
    const outcome = await send(path)
    assert.equal(outcome.status, 400, path)
    assert.deepEqual(outcome.forwarded, [], path)
  }
})

test('PATH-03: encoded ";", "?" and "#" stay one opaque segment character and are forwarded encoded', async () => {
  for (const [sent, expected] of [['/public/a%3Bb', '/public/a%3Bb'], ['/public/a%3fb', '/public/a%3Fb'], ['/public/a%23b', '/public/a%23b']]) {
    assert.deepEqual(await send(sent), { status: 200, code: undefined, forwarded: [expected] }, sent)
  }
})

test('PATH-05: ";" parameters and case tricks never reach the upstream through the open route', async () => {
  // "/admin;" is not the segment "admin": no route matches, so 404 (nothing is forwarded).
  assert.deepEqual(await send('/admin;/users'), { status: 404, code: 'GH_ERR_ROUTE_NOT_FOUND', forwarded: [] })
  // Matching is case-sensitive for routing and policies alike: "/ADMIN" is a different path.
  assert.deepEqual(await send('/ADMIN/users'), { status: 404, code: 'GH_ERR_ROUTE_NOT_FOUND', forwarded: [] })
  // Parameters inside the protected prefix keep the admin policy in force.
  await refusedByAdminPolicy('/admin/users;x=1')
  await refusedByAdminPolicy('/admin/users/')
  await refusedByAdminPolicy('/admin/users.json')
  await refusedByAdminPolicy('/public/x;y/../../admin/users')
})

test('PATH-07: a prefix matches whole segments, and stripping cannot climb out of it', async () => {
  assert.deepEqual(await send('/apiadmin'), { status: 404, code: 'GH_ERR_ROUTE_NOT_FOUND', forwarded: [] })
  assert.deepEqual(await send('/api../admin'), { status: 404, code: 'GH_ERR_ROUTE_NOT_FOUND', forwarded: [] })
  // Normalised before matching: these are /admin requests, so the admin policy applies.
  await refusedByAdminPolicy('/api/%2e%2e/admin/users')
  await refusedByAdminPolicy('/api/../admin/users')
  assert.deepEqual(await send('/api/./admin'), { status: 200, code: undefined, forwarded: ['/admin'] })
  assert.deepEqual(await send('/api'), { status: 200, code: undefined, forwarded: ['/'] })
})

test('PATH-09: method-override headers are stripped before forwarding', async () => {
  const raw = await rawExchange(
    gw.port,
    'POST /public/users HTTP/1.1\r\nHost: gw.example\r\nX-HTTP-Method-Override: DELETE\r\nX-Method-Override: DELETE\r\nX-HTTP-Method: DELETE\r\nX_HTTP_Method_Override: DELETE\r\nContent-Length: 0\r\nConnection: close\r\n\r\n',
  )
  assert.deepEqual(statusCodes(raw), [200])
  const seen = upstream.seen.at(-1)!
  assert.equal(seen.method, 'POST', 'the upstream serves the method the gateway routed and authorised')
  for (const name of ['x-http-method-override', 'x-method-override', 'x-http-method', 'x_http_method_override']) {
    assert.equal(seen.headers[name], undefined, `${name} was forwarded`)
  }
})

test('PATH-09: ?_method= overrides are removed from the forwarded query, in any spelling', async () => {
  const cases: Array<[query: string, forwarded: string | null]> = [
    ['_method=DELETE', null],
    ['a=1&_METHOD=DELETE&b=2', 'a=1&b=2'],
    ['%5Fmethod=DELETE&keep=1', 'keep=1'],
    ['_method&x=method', 'x=method'],
    ['methods=1&my_method=x', 'methods=1&my_method=x'],
  ]
  for (const [query, forwarded] of cases) {
    const raw = await rawExchange(gw.port, `POST /public/users?${query} HTTP/1.1\r\nHost: gw.example\r\nContent-Length: 0\r\nConnection: close\r\n\r\n`)
    assert.deepEqual(statusCodes(raw), [200])
    const seen = upstream.seen.at(-1)!
    assert.equal(seen.method, 'POST')
    assert.equal(seen.url, forwarded === null ? '/public/users' : `/public/users?${forwarded}`, `query ${query}`)
  }
})
