import { test, after, before } from 'node:test'
import assert from 'node:assert/strict'
import { startGateway, type TestGateway } from '../helpers/gateway.ts'
import { rawExchange, startRawUpstream, statusCodes, type RawUpstream } from '../helpers/servers.ts'

// Every case is sent as raw bytes (clients normalise what they send) and the upstream is a raw TCP
// recorder: "no forward" means it received zero bytes.
let upstream: RawUpstream
let gw: TestGateway

before(async () => {
  upstream = await startRawUpstream((socket) => socket.end('HTTP/1.1 200 OK\r\nContent-Length: 2\r\nConnection: close\r\n\r\nok'))
  gw = await startGateway(`
upstreams: { backend: { targets: ['${upstream.url}'] } }
routes: [{ name: all, paths: [/], upstream: backend }]
`)
})

after(async () => {
  await gw.stop()
  await upstream.close()
})

async function refused(payload: string, expectedStatus: number | number[], label: string): Promise<string> {
  const before = upstream.totalBytes()
  const raw = await rawExchange(gw.port, payload, 300)
  const statuses = statusCodes(raw)
  const allowed = Array.isArray(expectedStatus) ? expectedStatus : [expectedStatus]
  assert.equal(statuses.length, 1, `${label}: exactly one response, got ${JSON.stringify(raw.slice(0, 200))}`)
  assert.ok(allowed.includes(statuses[0]), `${label}: status ${statuses[0]}, expected ${allowed}`)
  assert.match(raw, /connection: close/i, `${label}: connection closed`)
  assert.equal(upstream.totalBytes(), before, `${label}: nothing forwarded`)
  return raw
}

test('SMUG-01: CL.TE and TE.CL are refused with GH_ERR_BAD_FRAMING, the trailing request never runs', async () => {
  const clte = await refused('POST /echo HTTP/1.1\r\nHost: a\r\nContent-Length: 6\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\nGGET /admin HTTP/1.1\r\nHost: a\r\n\r\n', 400, 'CL.TE')
  assert.match(clte, /"code":"GH_ERR_BAD_FRAMING"/)
  await refused('POST /echo HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\nContent-Length: 3\r\n\r\n8\r\nSMUGGLED\r\n0\r\n\r\n', 400, 'TE.CL')
})

test('SMUG-02: conflicting, signed, hex and overflowing Content-Length values are refused', async () => {
  const cases = {
    'two values': 'Content-Length: 5\r\nContent-Length: 6',
    'list': 'Content-Length: 5, 6',
    'plus sign': 'Content-Length: +5',
    'hex': 'Content-Length: 0x5',
    'overflow': 'Content-Length: 99999999999999999999',
  }
  for (const [label, header] of Object.entries(cases)) {
    await refused(`POST /echo HTTP/1.1\r\nHost: a\r\n${header}\r\n\r\nhello`, [400, 413], label)
  }
})

test('SMUG-03: obfuscated Transfer-Encoding is refused', async () => {
  const cases = {
    'space before colon': 'Transfer-Encoding : chunked',
    'vertical tab': 'Transfer-Encoding:\x0bchunked',
    'xchunked': 'Transfer-Encoding: xchunked',
    'chunked not final': 'Transfer-Encoding: chunked, identity',
    'gzip, chunked (unsupported coding)': 'Transfer-Encoding: gzip, chunked',
  }
  for (const [label, header] of Object.entries(cases)) {
    await refused(`POST /echo HTTP/1.1\r\nHost: a\r\n${header}\r\n\r\n5\r\nhello\r\n0\r\n\r\n`, [400, 501], label)
  }
})

test('SMUG-05: malformed chunk sizes are refused and the process survives', async () => {
  for (const size of ['-1', '0x10', '1 0', 'FFFFFFFFFFFFFFFFF']) {
    const raw = await rawExchange(gw.port, `POST /echo HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n${size}\r\nhello\r\n0\r\n\r\n`, 300)
    assert.ok(statusCodes(raw).every((status) => status === 400), `${size}: ${raw.slice(0, 80)}`)
  }
  const ok = await rawExchange(gw.port, 'GET / HTTP/1.1\r\nHost: a\r\nConnection: close\r\n\r\n')
  assert.deepEqual(statusCodes(ok), [200])
})

test('SMUG-06: bare LF, bare CR, NUL and invalid header names are refused', async () => {
  await refused('GET / HTTP/1.1\nHost: a\n\n', 400, 'bare LF')
  await refused('GET / HTTP/1.1\r\nHost: a\r\nX-A: b\rTransfer-Encoding: chunked\r\n\r\n', 400, 'bare CR')
  await refused('GET / HTTP/1.1\r\nHost: a\r\nX-A: a\x00b\r\n\r\n', 400, 'NUL')
  await refused('GET / HTTP/1.1\r\nHost: a\r\nX(A): b\r\n\r\n', 400, 'parenthesis in name')
  await refused('GET / HTTP/1.1\r\nHost: a\r\nX A: b\r\n\r\n', 400, 'space in name')
})

test('SMUG-07: malformed request lines and Host headers are refused', async () => {
  // node's parser accepts a doubled space before the target; the gateway never forwards the raw
  // line, so the upstream sees one canonical request line and cannot be desynchronised.
  const before = upstream.received.length
  const doubled = await rawExchange(gw.port, 'GET  /a HTTP/1.1\r\nHost: a\r\nConnection: close\r\n\r\n')
  assert.deepEqual(statusCodes(doubled), [200])
  assert.ok(upstream.received[before].toString('latin1').startsWith('GET /a HTTP/1.1\r\n'))
  await refused('GET /a HTTP/1.1 x\r\nHost: a\r\n\r\n', 400, 'trailing token')
  await refused('GET /a HTTP/1.2\r\nHost: a\r\n\r\n', [400, 505], 'HTTP/1.2')
  await refused(`${'A'.repeat(300)} /a HTTP/1.1\r\nHost: a\r\n\r\n`, [400, 501], 'long method')
  await refused('GET /a HTTP/1.1\r\n\r\n', 400, 'no Host')
  await refused('GET /a HTTP/1.1\r\nHost: a\r\nHost: b\r\n\r\n', 400, 'two Host lines')
  await refused('GET /a HTTP/1.1\r\nHost: a b\r\n\r\n', 400, 'space in Host')
  await refused('GET /a HTTP/1.1\r\nHost: a:99999\r\n\r\n', 400, 'port out of range')
})

test('SMUG-10: a body that looks like a request is forwarded as body, never executed', async () => {
  const inner = 'GET /admin HTTP/1.1\r\nHost: a\r\n\r\n'
  const before = upstream.connections
  const raw = await rawExchange(gw.port, `GET /x HTTP/1.1\r\nHost: a\r\nContent-Length: ${inner.length}\r\nConnection: close\r\n\r\n${inner}`)
  assert.deepEqual(statusCodes(raw), [200])
  assert.equal(upstream.connections, before + 1)
  const forwarded = upstream.received.at(-1)!.toString('latin1')
  assert.ok(forwarded.startsWith('GET /x HTTP/1.1\r\n'))
  assert.ok(forwarded.endsWith(`\r\n\r\n${inner}`))
  assert.equal(forwarded.split('GET /admin').length, 2, 'the inner request appears once, as body')
})

test('LOAD-02: oversized header, too many headers, long request line, huge declared body', async () => {
  await refused(`GET / HTTP/1.1\r\nHost: a\r\nX-Big: ${'a'.repeat(100 * 1024)}\r\n\r\n`, 431, '100 KiB header')
  let many = ''
  for (let i = 0; i < 10_000; i++) many += `X-H${i}: v\r\n`
  await refused(`GET / HTTP/1.1\r\nHost: a\r\n${many}\r\n`, 431, '10 000 headers')
  await refused(`GET /${'a'.repeat(20 * 1024)} HTTP/1.1\r\nHost: a\r\n\r\n`, [414, 431], '20 KiB request line')
  const body = await refused('POST /x HTTP/1.1\r\nHost: a\r\nContent-Length: 2147483648\r\n\r\n', 413, 'declared 2 GiB')
  assert.match(body, /GH_ERR_BODY_TOO_LARGE/)
})
