import http from 'node:http'
import net from 'node:net'
import type { AddressInfo } from 'node:net'

/** What a test upstream saw of one request. */
export interface SeenRequest {
  method: string
  url: string
  headers: http.IncomingHttpHeaders
  rawHeaders: string[]
  body: Buffer
  trailers: NodeJS.Dict<string>
}

export interface TestUpstream {
  port: number
  url: string
  seen: SeenRequest[]
  close(): Promise<void>
}

/**
 * A real node:http upstream on 127.0.0.1:0 that records every request it fully received and
 * answers with `handler` (default: 200 JSON echo of method and url).
 */
export async function startUpstream(handler?: (req: http.IncomingMessage, res: http.ServerResponse, body: Buffer) => void): Promise<TestUpstream> {
  const seen: SeenRequest[] = []
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = []
    req.on('data', (chunk: Buffer) => chunks.push(chunk))
    req.on('end', () => {
      const body = Buffer.concat(chunks)
      seen.push({ method: req.method ?? '', url: req.url ?? '', headers: req.headers, rawHeaders: req.rawHeaders, body, trailers: req.trailers })
      if (handler !== undefined) return handler(req, res, body)
      const payload = JSON.stringify({ method: req.method, url: req.url })
      res.writeHead(200, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(payload) })
      res.end(payload)
    })
  })
  server.keepAliveTimeout = 10_000
  return listening(server, seen)
}

async function listening(server: http.Server, seen: SeenRequest[]): Promise<TestUpstream> {
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()))
  const port = (server.address() as AddressInfo).port
  return {
    port,
    url: `http://127.0.0.1:${port}`,
    seen,
    close: () => new Promise<void>((resolve) => { server.closeAllConnections(); server.close(() => resolve()) }),
  }
}

export interface RawUpstream {
  port: number
  url: string
  /** Every byte received, per connection. */
  received: Buffer[]
  /** Total bytes received over all connections. */
  totalBytes(): number
  connections: number
  close(): Promise<void>
}

/** A raw TCP upstream: `onConnection` decides what to answer (or not) on each socket. */
export async function startRawUpstream(onConnection: (socket: net.Socket, data: Buffer, index: number) => void): Promise<RawUpstream> {
  const received: Buffer[] = []
  const sockets = new Set<net.Socket>()
  const state = { connections: 0 }
  const server = net.createServer((socket) => {
    const index = state.connections++
    received[index] = Buffer.alloc(0)
    sockets.add(socket)
    socket.on('close', () => sockets.delete(socket))
    socket.on('error', () => {})
    socket.on('data', (data: Buffer) => {
      received[index] = Buffer.concat([received[index], data])
      onConnection(socket, data, index)
    })
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()))
  const port = (server.address() as AddressInfo).port
  return {
    port,
    url: `http://127.0.0.1:${port}`,
    received,
    totalBytes: () => received.reduce((sum, buffer) => sum + buffer.length, 0),
    get connections() {
      return state.connections
    },
    close: () => new Promise<void>((resolve) => { for (const socket of sockets) socket.destroy(); server.close(() => resolve()) }),
  }
}

/** A port that refuses connections (bound then closed). */
export async function closedPort(): Promise<number> {
  const server = net.createServer()
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()))
  const port = (server.address() as AddressInfo).port
  await new Promise<void>((resolve) => server.close(() => resolve()))
  return port
}

/**
 * Sends raw bytes on a fresh socket and collects everything until the server closes or `idleMs`
 * passes without data. Smuggling tests must use this: HTTP clients normalise what they send.
 */
export function rawExchange(port: number, payload: string | Buffer, idleMs = 500): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = net.connect(port, '127.0.0.1')
    const chunks: Buffer[] = []
    let timer = setTimeout(done, idleMs)
    function done(): void {
      socket.destroy()
      resolve(Buffer.concat(chunks).toString('latin1'))
    }
    socket.on('data', (chunk: Buffer) => {
      chunks.push(chunk)
      clearTimeout(timer)
      timer = setTimeout(done, idleMs)
    })
    socket.on('close', () => {
      clearTimeout(timer)
      resolve(Buffer.concat(chunks).toString('latin1'))
    })
    socket.on('error', (error: NodeJS.ErrnoException) => (error.code === 'ECONNRESET' ? undefined : reject(error)))
    socket.write(payload)
  })
}

/** Status codes of every HTTP response found in a raw byte dump, in order. */
export function statusCodes(raw: string): number[] {
  return [...raw.matchAll(/HTTP\/1\.1 (\d{3}) /g)].map((match) => Number(match[1]))
}
