// The node:http upstream for benchmarks when nginx is not installed: GET /v1/data answers a small
// JSON array over keep-alive connections, everything else 404. Run as its own process so it can be
// pinned to a core: `node bench/upstream.ts --port 8080 [--host 127.0.0.1]`.
import { createServer, type Server } from 'node:http'
import { parseArgs } from 'node:util'

export const UPSTREAM_PATH = '/v1/data'
export const UPSTREAM_BODY = '["a","b"]'

const body = Buffer.from(UPSTREAM_BODY)
// One header array, built once: the upstream should cost as little CPU per request as possible.
const okHeaders = ['content-type', 'application/json', 'content-length', String(body.length)]

export function createUpstreamServer(): Server {
  const server = createServer((req, res) => {
    // Drain any request body so the connection can be reused for the next request.
    req.resume()
    if (req.url === UPSTREAM_PATH || req.url?.startsWith(UPSTREAM_PATH + '?')) {
      res.writeHead(200, okHeaders)
      res.end(body)
      return
    }
    res.writeHead(404, ['content-length', '0'])
    res.end()
  })
  // Proxies keep pooled connections open between benchmark rounds; the 5 s default would drop them.
  server.keepAliveTimeout = 120_000
  return server
}

if (import.meta.main) {
  const { values } = parseArgs({ options: { port: { type: 'string' }, host: { type: 'string', default: '127.0.0.1' } } })
  const port = Number(values.port)
  if (!Number.isInteger(port) || port <= 0 || port > 65535) {
    console.error('upstream: --port <1-65535> is required')
    process.exit(2)
  }
  const server = createUpstreamServer()
  server.listen(port, values.host, () => console.log(`upstream listening on http://${values.host}:${port}`))
  const stop = (): void => {
    server.close(() => process.exit(0))
    server.closeAllConnections()
  }
  process.on('SIGTERM', stop)
  process.on('SIGINT', stop)
}
