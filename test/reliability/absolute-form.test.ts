import { test, after, before } from 'node:test'
import assert from 'node:assert/strict'
import { startGateway, type TestGateway } from '../helpers/gateway.ts'
import { rawExchange, startRawUpstream, startUpstream, statusCodes, type RawUpstream, type TestUpstream } from '../helpers/servers.ts'

// Absolute-form request targets (RFC 9112 §3.2.2) name a host of their own, which may differ from
// the Host header. Routing must follow the request target's authority, and the gateway must never
// turn into a forward proxy for whatever URL a client writes.
let api: TestUpstream
let internal: TestUpstream
/** A live server that no route points at: an open forward proxy would reach it. */
let bystander: RawUpstream
let gw: TestGateway

before(async () => {
  api = await startUpstream()
  internal = await startUpstream()
  bystander = await startRawUpstream((socket) => socket.end('HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n'))
  gw = await startGateway(`
upstreams:
  api: { targets: ['${api.url}'] }
  internal: { targets: ['${internal.url}'] }
routes:
  - { name: api, hosts: [api.example], paths: [/], upstream: api }
  - { name: internal, hosts: [internal.example], paths: [/], upstream: internal }
`)
})

after(async () => {
  await gw.stop()
  await api.close()
  await internal.close()
  await bystander.close()
})

function counts(): { api: number; internal: number; bystander: number } {
  return { api: api.seen.length, internal: internal.seen.length, bystander: bystander.connections }
}

test('SMUG-08: an absolute-form request is routed by the request-target authority, not by Host', async () => {
  const before = counts()
  const raw = await rawExchange(gw.port, 'GET http://internal.example/admin HTTP/1.1\r\nHost: api.example\r\nConnection: close\r\n\r\n')
  assert.deepEqual(statusCodes(raw), [200])
  assert.deepEqual(counts(), { ...before, internal: before.internal + 1 }, 'only the internal.example upstream got it')
  assert.equal(internal.seen.at(-1)?.url, '/admin', 'the upstream gets the origin-form path')

  // The other way round, to show it is the authority and not the route order that decides.
  const reverse = await rawExchange(gw.port, 'GET http://api.example/x HTTP/1.1\r\nHost: internal.example\r\nConnection: close\r\n\r\n')
  assert.deepEqual(statusCodes(reverse), [200])
  assert.equal(api.seen.at(-1)?.url, '/x')
  assert.equal(internal.seen.length, before.internal + 1)
})

test('SMUG-08: the authority is matched case-insensitively and without its port; an empty path is "/"', async () => {
  const before = internal.seen.length
  const raw = await rawExchange(gw.port, 'GET HTTP://INTERNAL.EXAMPLE:8080 HTTP/1.1\r\nHost: api.example\r\nConnection: close\r\n\r\n')
  assert.deepEqual(statusCodes(raw), [200])
  assert.equal(internal.seen.length, before + 1)
  assert.equal(internal.seen.at(-1)?.url, '/')
})

test('SMUG-08: an absolute URL to a host without a route is 404 and nothing is forwarded (no open proxy)', async () => {
  const before = counts()
  for (const url of [`http://127.0.0.1:${bystander.port}/x`, 'http://evil.example/x']) {
    const raw = await rawExchange(gw.port, `GET ${url} HTTP/1.1\r\nHost: api.example\r\nConnection: close\r\n\r\n`)
    assert.deepEqual(statusCodes(raw), [404], url)
    assert.match(raw, /"code":"GH_ERR_ROUTE_NOT_FOUND"/, url)
  }
  assert.deepEqual(counts(), before, 'no upstream and no named server was contacted')
})

test('SMUG-08: CONNECT tunnels and non-http schemes are refused without contacting anyone', async () => {
  const before = counts()
  const tunnel = await rawExchange(gw.port, `CONNECT 127.0.0.1:${bystander.port} HTTP/1.1\r\nHost: 127.0.0.1:${bystander.port}\r\n\r\n`)
  // node:http closes CONNECT requests nobody handles; whatever comes back must not be a 2xx.
  assert.ok(statusCodes(tunnel).every((status) => status >= 400), `CONNECT answered ${JSON.stringify(tunnel.slice(0, 60))}`)
  const ftp = await rawExchange(gw.port, 'GET ftp://internal.example/x HTTP/1.1\r\nHost: api.example\r\nConnection: close\r\n\r\n')
  assert.deepEqual(statusCodes(ftp), [400])
  assert.match(ftp, /"code":"GH_ERR_BAD_PATH"/)
  const userinfo = await rawExchange(gw.port, 'GET http://user@internal.example/x HTTP/1.1\r\nHost: api.example\r\nConnection: close\r\n\r\n')
  assert.deepEqual(statusCodes(userinfo), [400], 'credentials in the authority are refused')
  assert.deepEqual(counts(), before)
})
