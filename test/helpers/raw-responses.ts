import net from 'node:net'

/** One HTTP/1.1 response cut out of a raw byte stream. */
export interface RawResponse {
  status: number
  /** Lower-case names; a repeated field keeps its last value. */
  headers: Record<string, string>
  body: string
}

/**
 * Cuts complete responses (Content-Length or chunked framing) off the front of `raw` (latin1).
 * Whatever follows the last complete response is returned as `rest`. Not for HEAD responses.
 */
export function parseResponses(raw: string): { responses: RawResponse[]; rest: string } {
  const responses: RawResponse[] = []
  let rest = raw
  for (;;) {
    const parsed = parseOne(rest)
    if (parsed === null) return { responses, rest }
    responses.push(parsed.response)
    rest = rest.slice(parsed.length)
  }
}

function parseOne(raw: string): { response: RawResponse; length: number } | null {
  const headEnd = raw.indexOf('\r\n\r\n')
  if (headEnd === -1) return null
  const lines = raw.slice(0, headEnd).split('\r\n')
  const status = Number(/^HTTP\/1\.1 (\d{3})/.exec(lines[0])?.[1] ?? Number.NaN)
  if (Number.isNaN(status)) throw new Error(`not a status line: ${JSON.stringify(lines[0])}`)
  const headers: Record<string, string> = {}
  for (const line of lines.slice(1)) {
    const colon = line.indexOf(':')
    headers[line.slice(0, colon).trim().toLowerCase()] = line.slice(colon + 1).trim()
  }
  const bodyStart = headEnd + 4
  if (status === 100) return { response: { status, headers, body: '' }, length: bodyStart }
  if (headers['transfer-encoding']?.toLowerCase() === 'chunked') {
    let offset = bodyStart
    let body = ''
    for (;;) {
      const lineEnd = raw.indexOf('\r\n', offset)
      if (lineEnd === -1) return null
      const size = parseInt(raw.slice(offset, lineEnd), 16)
      if (size === 0) {
        const end = raw.indexOf('\r\n\r\n', lineEnd)
        return end === -1 ? null : { response: { status, headers, body }, length: end + 4 }
      }
      if (raw.length < lineEnd + 2 + size + 2) return null
      body += raw.slice(lineEnd + 2, lineEnd + 2 + size)
      offset = lineEnd + 2 + size + 2
    }
  }
  const length = Number(headers['content-length'] ?? 0)
  if (raw.length < bodyStart + length) return null
  return { response: { status, headers, body: raw.slice(bodyStart, bodyStart + length) }, length: bodyStart + length }
}

export interface RawResult {
  responses: RawResponse[]
  /** The server closed the connection. */
  closed: boolean
  /** Milliseconds from connecting until the last response or the close. */
  ms: number
}

/**
 * Sends raw bytes on a fresh socket and reads until `count` complete responses arrived, the server
 * closed, or `timeoutMs` passed (then the socket is destroyed and `closed` is false).
 */
export function rawResponses(port: number, payload: string | Buffer, count: number, timeoutMs: number, host = '127.0.0.1'): Promise<RawResult> {
  return new Promise((resolve, reject) => {
    const started = performance.now()
    const socket = net.connect(port, host)
    let buffered = ''
    const responses: RawResponse[] = []
    let settled = false
    const finish = (closed: boolean): void => {
      if (settled) return
      settled = true
      clearTimeout(timer)
      socket.destroy()
      resolve({ responses, closed, ms: performance.now() - started })
    }
    const timer = setTimeout(() => finish(false), timeoutMs)
    socket.setEncoding('latin1')
    socket.on('data', (chunk: string) => {
      const parsed = parseResponses(buffered + chunk)
      responses.push(...parsed.responses)
      buffered = parsed.rest
      if (responses.length >= count) finish(false)
    })
    socket.on('close', () => finish(true))
    socket.on('error', (error: NodeJS.ErrnoException) => {
      if (error.code === 'ECONNRESET') return finish(true)
      settled = true
      clearTimeout(timer)
      reject(error)
    })
    socket.write(payload)
  })
}
