import { test, after, before } from 'node:test'
import assert from 'node:assert/strict'
import net from 'node:net'
import { startGateway, type TestGateway } from '../helpers/gateway.ts'
import { startUpstream, type TestUpstream } from '../helpers/servers.ts'
import { parseResponses, type RawResponse } from '../helpers/raw-responses.ts'

const MAX_CONNECTIONS = 5
const KEEP_ALIVE_MS = 1000

let upstream: TestUpstream
let gw: TestGateway

before(async () => {
  upstream = await startUpstream()
  gw = await startGateway(`
limits: { maxConnections: ${MAX_CONNECTIONS}, keepAliveTimeoutMs: ${KEEP_ALIVE_MS} }
upstreams: { backend: { targets: ['${upstream.url}'] } }
routes: [{ paths: [/], upstream: backend }]
`)
})

after(async () => {
  await gw.stop()
  await upstream.close()
})

interface KeptAlive {
  socket: net.Socket
  /** Resolves with the first response, or null when the gateway closed without one. */
  firstResponse: Promise<RawResponse | null>
  /** Resolves with the time (performance.now()) the gateway closed the connection. */
  closedAt: Promise<number>
}

/** Opens a keep-alive connection and sends one request on it; the connection then stays idle. */
function keepAliveConnection(): KeptAlive {
  const socket = net.connect(gw.port, '127.0.0.1')
  let buffered = ''
  const firstResponse = new Promise<RawResponse | null>((resolve) => {
    socket.on('data', (chunk: Buffer) => {
      buffered += chunk.toString('latin1')
      const { responses } = parseResponses(buffered)
      if (responses.length > 0) resolve(responses[0])
    })
    socket.on('close', () => resolve(null))
  })
  const closedAt = new Promise<number>((resolve) => socket.on('close', () => resolve(performance.now())))
  socket.on('error', () => {})
  socket.write('GET /idle HTTP/1.1\r\nHost: a\r\n\r\n')
  return { socket, firstResponse, closedAt }
}

test('LOAD-04: with maxConnections open, another connection is refused; once they close, new ones work', async () => {
  const open: KeptAlive[] = []
  for (let i = 0; i < MAX_CONNECTIONS; i++) {
    const connection = keepAliveConnection()
    open.push(connection)
    const response = await connection.firstResponse
    assert.equal(response?.status, 200, `connection ${i} served`)
  }
  try {
    const extra = keepAliveConnection()
    assert.equal(await extra.firstResponse, null, 'the connection beyond the limit is closed without a response')
    const seen = upstream.seen.length
    assert.equal(seen, MAX_CONNECTIONS, 'the refused connection forwarded nothing')
    for (const connection of open) assert.equal(connection.socket.destroyed, false, 'the idle connections within the limit stay open')
  } finally {
    for (const connection of open) connection.socket.destroy()
  }
  // The server counts a connection as gone when it sees the close; give it a moment.
  await new Promise((resolve) => setTimeout(resolve, 100))
  const after = keepAliveConnection()
  assert.equal((await after.firstResponse)?.status, 200)
  after.socket.destroy()
})

test('LOAD-04: an idle keep-alive connection is closed after keepAliveTimeoutMs', async () => {
  const connection = keepAliveConnection()
  const response = await connection.firstResponse
  const answeredAt = performance.now()
  assert.equal(response?.status, 200)
  assert.notEqual(response?.headers.connection, 'close', 'the connection is kept alive at first')
  const idleFor = (await connection.closedAt) - answeredAt
  // node keeps a connection up to one second beyond the advertised keep-alive timeout, so that
  // the client, not the server, is the one to close an idle connection (no race on reuse).
  assert.ok(idleFor >= KEEP_ALIVE_MS * 0.9 && idleFor < KEEP_ALIVE_MS + 1500, `closed after ${idleFor.toFixed(0)} ms idle`)
})
