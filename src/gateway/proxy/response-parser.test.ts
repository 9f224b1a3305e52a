import { test } from 'node:test'
import assert from 'node:assert/strict'
import { ResponseParser, ResponseProtocolError } from './response-parser.ts'

function parse(raw: string | string[], isHead = false) {
  const result = { status: 0, headers: [] as string[], body: '', trailers: null as string[] | null, complete: false, keepAlive: true, parser: null as unknown as ResponseParser }
  const parser = new ResponseParser({
    onHead: (status, headers) => Object.assign(result, { status, headers }),
    onBody: (chunk) => (result.body += chunk.toString("latin1")),
    onComplete: (trailers) => Object.assign(result, { trailers, complete: true }),
  })
  parser.reset(isHead)
  for (const piece of Array.isArray(raw) ? raw : [raw]) parser.execute(Buffer.from(piece, 'latin1'))
  result.keepAlive = parser.keepAlive
  result.parser = parser
  return result
}

test('content-length body, split across reads at every position', () => {
  const raw = 'HTTP/1.1 200 OK\r\nContent-Length: 5\r\nX-A: b\r\n\r\nhello'
  for (let cut = 1; cut < raw.length; cut++) {
    const result = parse([raw.slice(0, cut), raw.slice(cut)])
    assert.equal(result.status, 200)
    assert.equal(result.body, 'hello')
    assert.ok(result.complete)
    assert.deepEqual(result.headers, ['Content-Length', '5', 'X-A', 'b'])
  }
})

test('chunked body with extensions and trailers, split at every position', () => {
  const raw = 'HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5;ext=1\r\nhello\r\n6\r\n world\r\n0\r\nX-Checksum: abc\r\n\r\n'
  for (let cut = 1; cut < raw.length; cut++) {
    const result = parse([raw.slice(0, cut), raw.slice(cut)])
    assert.equal(result.body, 'hello world')
    assert.deepEqual(result.trailers, ['X-Checksum', 'abc'])
    assert.ok(result.keepAlive)
  }
})

test('HEAD, 204 and 304 responses have no body even with Content-Length', () => {
  assert.ok(parse('HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\n', true).complete)
  assert.ok(parse('HTTP/1.1 204 No Content\r\n\r\n').complete)
  assert.ok(parse('HTTP/1.1 304 Not Modified\r\nContent-Length: 10\r\n\r\n').complete)
})

test('interim 100 Continue and 103 Early Hints are consumed', () => {
  const result = parse('HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 103 Early Hints\r\nLink: </a>\r\n\r\nHTTP/1.1 201 Created\r\nContent-Length: 2\r\n\r\nok')
  assert.equal(result.status, 201)
  assert.equal(result.body, 'ok')
})

test('a body without length is read until close and the connection is not reused', () => {
  const result = parse('HTTP/1.1 200 OK\r\n\r\npartial')
  assert.equal(result.body, 'partial')
  assert.equal(result.complete, false)
  assert.equal(result.keepAlive, false)
  assert.equal(result.parser.finishOnClose(), true)
  assert.equal(result.complete, true)
})

test('Connection: close and HTTP/1.0 responses end keep-alive', () => {
  assert.equal(parse('HTTP/1.1 200 OK\r\nConnection: close\r\nContent-Length: 0\r\n\r\n').keepAlive, false)
  assert.equal(parse('HTTP/1.0 200 OK\r\nContent-Length: 0\r\n\r\n').keepAlive, false)
  assert.equal(parse('HTTP/1.0 200 OK\r\nConnection: keep-alive\r\nContent-Length: 0\r\n\r\n').keepAlive, true)
})

test('UPS-03: malformed responses are protocol errors', () => {
  const bad = [
    'HTTP/1.1 2OO OK\r\nContent-Length: 0\r\n\r\n',
    'HTTP/1.1 200 OK\r\nX-A: a\u0000b\r\nContent-Length: 0\r\n\r\n',
    'HTTP/1.1 200 OK\r\nContent-Length: 3\r\nTransfer-Encoding: chunked\r\n\r\n',
    'HTTP/1.1 200 OK\r\nContent-Length: 3\r\nContent-Length: 4\r\n\r\n',
    'HTTP/1.1 200 OK\r\nContent-Length: -1\r\n\r\n',
    'HTTP/1.1 200 OK\r\nX-A: a\r\n folded\r\nContent-Length: 0\r\n\r\n',
    'HTTP/1.1 200 OK\r\nBad Name: a\r\nContent-Length: 0\r\n\r\n',
    'HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n',
    'HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n2\r\nabc\r\n',
    'HTTP/1.1 101 Switching Protocols\r\n\r\n',
    'HTTP/2.0 200 OK\r\n\r\n',
    `HTTP/1.1 200 OK\r\nX-Big: ${'a'.repeat(200 * 1024)}\r\n\r\n`,
  ]
  for (const raw of bad) assert.throws(() => parse(raw), ResponseProtocolError, JSON.stringify(raw.slice(0, 60)))
})

test('identical duplicate Content-Length values are accepted', () => {
  assert.equal(parse('HTTP/1.1 200 OK\r\nContent-Length: 2\r\nContent-Length: 2\r\n\r\nok').body, 'ok')
})
