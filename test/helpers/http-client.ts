import http from 'node:http'
import https from 'node:https'

/** A complete response as the client saw it. */
export interface HttpAnswer {
  status: number
  headers: http.IncomingHttpHeaders
  /** Name/value pairs as received, to count repeated fields. */
  rawHeaders: string[]
  body: string
}

export interface HttpRequestOptions {
  method?: string
  headers?: http.OutgoingHttpHeaders
  body?: string | Buffer
  /** Defaults to a fresh connection per request, so tests never share sockets by accident. */
  agent?: http.Agent | false
  /** CA certificate(s) trusted for an https URL. */
  ca?: string | Buffer
  timeoutMs?: number
}

/** One request to `url` (http or https) with node:http, which sends headers exactly as given. */
export function httpRequest(url: string, options: HttpRequestOptions = {}): Promise<HttpAnswer> {
  const target = new URL(url)
  const client = target.protocol === 'https:' ? https : http
  return new Promise((resolve, reject) => {
    const req = client.request(
      {
        host: target.hostname,
        port: target.port,
        path: target.pathname + target.search,
        method: options.method ?? 'GET',
        headers: options.headers,
        agent: options.agent ?? false,
        ca: options.ca,
        // The certificate names localhost; the test connects by address.
        servername: target.protocol === 'https:' ? 'localhost' : undefined,
        timeout: options.timeoutMs ?? 5000,
      },
      (res) => {
        const chunks: Buffer[] = []
        res.on('data', (chunk: Buffer) => chunks.push(chunk))
        res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, rawHeaders: res.rawHeaders, body: Buffer.concat(chunks).toString('utf8') }))
        res.on('error', reject)
      },
    )
    req.on('timeout', () => req.destroy(new Error(`no answer from ${url} within ${options.timeoutMs ?? 5000} ms`)))
    req.on('error', reject)
    req.end(options.body)
  })
}

/** Every value of a header field in a response, however many times it was sent. */
export function headerValues(answer: HttpAnswer, name: string): string[] {
  const wanted = name.toLowerCase()
  const values: string[] = []
  for (let i = 0; i < answer.rawHeaders.length; i += 2) if (answer.rawHeaders[i].toLowerCase() === wanted) values.push(answer.rawHeaders[i + 1])
  return values
}

/** The `code` member of a problem document body, or undefined when the body is not one. */
export function problemCode(answer: HttpAnswer): string | undefined {
  try {
    return (JSON.parse(answer.body) as { code?: string }).code
  } catch {
    return undefined
  }
}
