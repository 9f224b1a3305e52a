// The "reference" proxy of the benchmarks: the smallest proxy we still call correct, on node:http
// in front and undici's Pool.stream behind. It removes hop-by-hop headers in both directions,
// keeps upstream connections alive in a pool and streams bodies without buffering them.
// Gatehouse's throughput is reported as a ratio to this one.
// Run as its own process: `node bench/reference-proxy.ts --port 8081 --upstream http://127.0.0.1:8080`.
import { createServer, type IncomingHttpHeaders, type OutgoingHttpHeaders, type Server, type ServerResponse } from 'node:http'
import { parseArgs } from 'node:util'
import { Pool } from 'undici'

// RFC 9110 §7.6.1: connection-specific fields never travel past one hop. `host` is set by the
// pool from the upstream origin instead of being copied from the client.
const HOP_BY_HOP = new Set(['connection', 'keep-alive', 'proxy-connection', 'te', 'trailer', 'transfer-encoding', 'upgrade', 'host'])

/** Copies `headers` without hop-by-hop fields, including those the Connection header names. */
export function withoutHopByHop(headers: IncomingHttpHeaders): OutgoingHttpHeaders {
  const out: OutgoingHttpHeaders = {}
  const connection = headers.connection
  const named = connection === undefined ? undefined : new Set(connection.toLowerCase().split(',').map((token) => token.trim()))
  for (const name in headers) {
    if (HOP_BY_HOP.has(name) || named?.has(name)) continue
    out[name] = headers[name]
  }
  return out
}

export function createReferenceProxy(upstreamOrigin: string): { server: Server; pool: Pool } {
  const pool = new Pool(upstreamOrigin, { keepAliveTimeout: 60_000, keepAliveMaxTimeout: 600_000 })
  const server = createServer((req, res) => {
    const headers = withoutHopByHop(req.headers)
    // Read from the filtered copy: a client that names X-Forwarded-For in Connection drops its
    // own value, but the proxy's entry for the peer is still added.
    const forwardedFor = headers['x-forwarded-for']
    const peer = req.socket.remoteAddress ?? 'unknown'
    headers['x-forwarded-for'] = forwardedFor === undefined ? peer : `${forwardedFor}, ${peer}`
    // Only requests that announce a body get one; a GET without framing headers has none.
    const hasBody = req.headers['content-length'] !== undefined || req.headers['transfer-encoding'] !== undefined
    pool.stream(
      { path: req.url ?? '/', method: req.method as 'GET', headers: headers as Record<string, string>, body: hasBody ? req : null, opaque: res },
      ({ statusCode, headers: upstreamHeaders, opaque }) => {
        const response = opaque as ServerResponse
        response.writeHead(statusCode, withoutHopByHop(upstreamHeaders))
        return response
      },
      (err) => {
        if (err === null) return
        if (!res.headersSent) {
          res.writeHead(502, { 'content-type': 'text/plain', 'content-length': '12' })
          res.end('bad gateway\n')
        } else {
          res.destroy(err)
        }
      },
    )
  })
  server.keepAliveTimeout = 120_000
  return { server, pool }
}

if (import.meta.main) {
  const { values } = parseArgs({ options: { port: { type: 'string' }, host: { type: 'string', default: '127.0.0.1' }, upstream: { type: 'string' } } })
  const port = Number(values.port)
  if (!Number.isInteger(port) || port <= 0 || port > 65535 || values.upstream === undefined) {
    console.error('reference-proxy: --port <1-65535> and --upstream <http://host:port> are required')
    process.exit(2)
  }
  const { server, pool } = createReferenceProxy(values.upstream)
  server.listen(port, values.host, () => console.log(`reference proxy on http://${values.host}:${port} → ${values.upstream}`))
  const stop = (): void => {
    server.close(() => void pool.close().then(() => process.exit(0)))
    server.closeAllConnections()
  }
  process.on('SIGTERM', stop)
  process.on('SIGINT', stop)
}
