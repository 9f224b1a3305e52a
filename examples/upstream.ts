import http from 'node:http'

/**
 * The example back end `npm start` runs beside the gateway: the seed's `GET /v1/data` (a JSON array
 * of strings) and an echo of what the gateway forwarded, so the README's curl lines show the
 * proxy's work (X-Forwarded-*, X-Correlation-ID, Via).
 */
export async function startExampleUpstream(port = Number(process.env.EXAMPLE_UPSTREAM_PORT ?? 3000), host = '127.0.0.1'): Promise<http.Server> {
  const server = http.createServer((req, res) => {
    if (req.method === 'GET' && req.url === '/v1/data') {
      const body = JSON.stringify(['Message 1 from the example upstream', 'Message 2 from the example upstream'])
      res.writeHead(200, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) })
      res.end(body)
      return
    }
    if (req.url === '/health') {
      res.writeHead(200, { 'content-type': 'text/plain' })
      res.end('ok')
      return
    }
    let size = 0
    req.on('data', (chunk: Buffer) => (size += chunk.length))
    req.on('end', () => {
      const body = JSON.stringify({ method: req.method, url: req.url, headers: req.headers, bodyBytes: size }, null, 2)
      res.writeHead(200, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) })
      res.end(body)
    })
  })
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject)
    server.listen(port, host, () => resolve())
  })
  return server
}

if (import.meta.main) {
  const server = await startExampleUpstream()
  console.log(`example upstream listening on ${JSON.stringify(server.address())}`)
}
