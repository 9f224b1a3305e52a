import { test, after, before } from 'node:test'
import assert from 'node:assert/strict'
import net from 'node:net'
import { startGateway, type TestGateway } from '../helpers/gateway.ts'
import { startUpstream, statusCodes, type SeenRequest, type TestUpstream } from '../helpers/servers.ts'

// 127.0.0.1 is the trusted proxy; a second listener on ::1 (when the host has IPv6 loopback)
// gives an untrusted peer, and one whose address needs RFC 7239 quoting.
let upstream: TestUpstream
let gw: TestGateway
let ipv6Port: number | null = null

async function ipv6LoopbackAvailable(): Promise<boolean> {
  const server = net.createServer()
  return new Promise((resolve) => {
    server.once('error', () => resolve(false))
    server.listen(0, '::1', () => server.close(() => resolve(true)))
  })
}

before(async () => {
  const ipv6 = await ipv6LoopbackAvailable()
  upstream = await startUpstream()
  gw = await startGateway(`
listeners:
  - { name: public, host: 127.0.0.1, port: 0 }
${ipv6 ? "  - { name: v6, host: '::1', port: 0 }" : ''}
forwarding: { trustedProxies: [127.0.0.1/32], forwarded: true }
upstreams: { backend: { targets: ['${upstream.url}'] } }
routes:
  - { name: open, paths: [/open], upstream: backend }
  - name: partners
    paths: [/partners]
    upstream: backend
    policies: { ip-restriction: { allow: [203.0.113.0/24] } }
`)
  if (ipv6) ipv6Port = gw.gateway.addresses().v6.port
})

after(async () => {
  await gw.stop()
  await upstream.close()
})

/** Sends one request with raw headers from the given loopback address; returns status and what the upstream saw. */
function send(host: '127.0.0.1' | '::1', path: string, headers: string): Promise<{ status: number; seen: SeenRequest | undefined }> {
  const port = host === '::1' ? ipv6Port! : gw.port
  const before = upstream.seen.length
  return new Promise((resolve, reject) => {
    const socket = net.connect(port, host)
    let raw = ''
    socket.on('data', (chunk: Buffer) => (raw += chunk.toString('latin1')))
    socket.on('close', () => resolve({ status: statusCodes(raw)[0] ?? 0, seen: upstream.seen[before] }))
    socket.on('error', reject)
    socket.write(`GET ${path} HTTP/1.1\r\nHost: gw.example\r\n${headers}Connection: close\r\n\r\n`)
  })
}

test('SMUG-13: from a trusted proxy, X-Forwarded-For is kept with the peer appended, X-Forwarded-Proto and -Host are kept', async () => {
  const { status, seen } = await send('127.0.0.1', '/open', 'X-Forwarded-For: 198.51.100.7\r\nX-Forwarded-Proto: https\r\nX-Forwarded-Host: shop.example\r\n')
  assert.equal(status, 200)
  assert.equal(seen?.headers['x-forwarded-for'], '198.51.100.7, 127.0.0.1')
  assert.equal(seen?.headers['x-forwarded-proto'], 'https')
  assert.equal(seen?.headers['x-forwarded-host'], 'shop.example')
})

test('SMUG-13: from a trusted proxy, an incoming Forwarded header is kept and the gateway appends its own element', async () => {
  const { seen } = await send('127.0.0.1', '/open', 'Forwarded: for=198.51.100.7;proto=https\r\n')
  const elements = (seen?.headers.forwarded ?? '').split(', ')
  assert.equal(elements.length, 2, String(seen?.headers.forwarded))
  assert.equal(elements[0], 'for=198.51.100.7;proto=https', 'the proxy\'s element comes first, unchanged')
  assert.equal(elements[1], 'for=127.0.0.1;proto=http;host="gw.example"', 'the gateway\'s element describes the hop it received')
})

test('SMUG-13: without forwarding headers, Forwarded names the peer, the protocol and the Host', async () => {
  const { seen } = await send('127.0.0.1', '/open', '')
  assert.equal(seen?.headers.forwarded, 'for=127.0.0.1;proto=http;host="gw.example"')
  assert.equal(seen?.headers['x-forwarded-for'], '127.0.0.1')
  assert.equal(seen?.headers['x-forwarded-proto'], 'http')
})

test('RATE-06: behind a trusted proxy the client address is the right-most untrusted X-Forwarded-For entry', async () => {
  assert.equal((await send('127.0.0.1', '/partners', 'X-Forwarded-For: 203.0.113.9\r\n')).status, 200)
  // Trusted hops are skipped from the right: 127.0.0.1 is the proxy itself.
  assert.equal((await send('127.0.0.1', '/partners', 'X-Forwarded-For: 203.0.113.9, 127.0.0.1\r\n')).status, 200)
  // A client prepending an allowed address gains nothing: 10.1.2.3 is who the proxy saw.
  const spoofed = await send('127.0.0.1', '/partners', 'X-Forwarded-For: 203.0.113.9, 10.1.2.3\r\n')
  assert.deepEqual({ status: spoofed.status, forwarded: spoofed.seen !== undefined }, { status: 403, forwarded: false })
  // Two X-Forwarded-For lines are one list, in order.
  assert.equal((await send('127.0.0.1', '/partners', 'X-Forwarded-For: 10.1.2.3\r\nX-Forwarded-For: 203.0.113.9\r\n')).status, 200)
  assert.equal((await send('127.0.0.1', '/partners', 'X-Forwarded-For: 203.0.113.9\r\nX-Forwarded-For: 10.1.2.3\r\n')).status, 403)
  // Garbage where an address belongs fails closed.
  assert.equal((await send('127.0.0.1', '/partners', 'X-Forwarded-For: not-an-address\r\n')).status, 403)
})

test('SMUG-13 / RATE-06: from an untrusted IPv6 peer, forwarding headers are replaced and Forwarded quotes the address', async (t) => {
  if (ipv6Port === null) {
    t.skip('no IPv6 loopback (::1) on this host')
    return
  }
  const { status, seen } = await send('::1', '/open', 'X-Forwarded-For: 203.0.113.9\r\nX-Forwarded-Proto: https\r\nX-Forwarded-Host: evil.example\r\nForwarded: for=203.0.113.9\r\n')
  assert.equal(status, 200)
  assert.equal(seen?.headers['x-forwarded-for'], '::1')
  assert.equal(seen?.headers['x-forwarded-proto'], 'http')
  assert.equal(seen?.headers['x-forwarded-host'], 'gw.example')
  assert.equal(seen?.headers.forwarded, 'for="[::1]";proto=http;host="gw.example"', 'RFC 7239 §6: IPv6 in brackets, quoted')
  const partners = await send('::1', '/partners', 'X-Forwarded-For: 203.0.113.9\r\n')
  assert.equal(partners.status, 403, 'an untrusted peer cannot choose its address')
})
