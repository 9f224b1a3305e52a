// Incremental HTTP/1.1 response parser for the upstream side. node:http's parser is not reachable
// for a raw socket without its general-purpose client around it, and that client costs about a
// third of a proxy's CPU on small requests (docs/performance.md). This parser is strict: anything
// ambiguous about framing is a protocol error and the connection is never reused.

const MAX_HEAD_BYTES = 64 * 1024
const MAX_CHUNK_LINE = 4096
const MAX_TRAILER_BYTES = 16 * 1024
const STATUS_LINE = /^HTTP\/1\.([01]) ([1-9]\d\d)(?: [\t\x20-\x7e\x80-\xff]*)?$/
const TOKEN = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/
const BAD_VALUE = /[\x00-\x08\x0a-\x1f\x7f]/
const HEX = /^[0-9a-fA-F]{1,12}$/
const DIGITS = /^\d{1,15}$/

export interface ResponseEvents {
  /** Status and raw headers (flat name/value list, original case). */
  onHead(status: number, headers: string[]): void
  /**
   * A slice of body bytes (a view into the socket's buffer; forward it, don't keep it). `last` is
   * true when this slice ends a Content-Length body, so the whole response can end in one write.
   */
  onBody(chunk: Buffer, last: boolean): void
  /** Response complete; `trailers` is a flat list or null. */
  onComplete(trailers: string[] | null): void
}

const S = { head: 0, fixed: 1, chunkSize: 2, chunkData: 3, chunkDataEnd: 4, trailers: 5, untilClose: 6, done: 7 } as const
type State = (typeof S)[keyof typeof S]

export class ResponseProtocolError extends Error {
  constructor(message: string) {
    super(message)
    this.name = 'ResponseProtocolError'
  }
}

/** One response at a time; `reset()` prepares it for the next response on the same connection. */
export class ResponseParser {
  #events: ResponseEvents
  #state: State = S.head
  #pending: Buffer | null = null
  #remaining = 0
  #noBody = false
  #trailerBytes = 0
  #trailers: string[] | null = null
  /** Whether the connection may carry another request once this response is complete. */
  keepAlive = true
  /** True once the first byte of a response arrived. */
  started = false

  constructor(events: ResponseEvents) {
    this.#events = events
  }

  /** Prepares for the response to a new request; HEAD responses never have a body. */
  reset(isHead: boolean): void {
    this.#state = S.head
    this.#pending = null
    this.#noBody = isHead
    this.#trailers = null
    this.#trailerBytes = 0
    this.started = false
    this.keepAlive = true
  }

  get done(): boolean {
    return this.#state === S.done
  }

  /** True while reading a body that ends only when the upstream closes the connection. */
  get readsUntilClose(): boolean {
    return this.#state === S.untilClose
  }

  /** Feeds bytes; throws ResponseProtocolError on malformed input. Returns unconsumed bytes after completion. */
  execute(chunk: Buffer): Buffer | null {
    this.started = true
    const data = this.#pending === null ? chunk : Buffer.concat([this.#pending, chunk])
    this.#pending = null
    let offset = 0
    while (offset < data.length) {
      switch (this.#state) {
        case S.head: {
          const end = data.indexOf('\r\n\r\n', offset, 'latin1')
          if (end === -1) {
            if (data.length - offset > MAX_HEAD_BYTES) throw new ResponseProtocolError('response head too large')
            this.#pending = data.subarray(offset)
            return null
          }
          if (end - offset > MAX_HEAD_BYTES) throw new ResponseProtocolError('response head too large')
          const head = data.toString('latin1', offset, end)
          offset = end + 4
          this.#parseHead(head)
          break
        }
        case S.fixed: {
          const take = Math.min(this.#remaining, data.length - offset)
          this.#remaining -= take
          this.#events.onBody(offset === 0 && take === data.length ? data : data.subarray(offset, offset + take), this.#remaining === 0)
          offset += take
          if (this.#remaining === 0) this.#complete()
          break
        }
        case S.untilClose:
          this.#events.onBody(offset === 0 ? data : data.subarray(offset), false)
          return null
        case S.chunkSize: {
          const end = data.indexOf('\r\n', offset, 'latin1')
          if (end === -1) {
            if (data.length - offset > MAX_CHUNK_LINE) throw new ResponseProtocolError('chunk size line too long')
            this.#pending = data.subarray(offset)
            return null
          }
          if (end - offset > MAX_CHUNK_LINE) throw new ResponseProtocolError('chunk size line too long')
          let line = data.toString('latin1', offset, end)
          offset = end + 2
          const semicolon = line.indexOf(';')
          if (semicolon !== -1) line = line.slice(0, semicolon)
          line = line.trimEnd()
          if (!HEX.test(line)) throw new ResponseProtocolError('invalid chunk size')
          const size = parseInt(line, 16)
          if (size === 0) {
            this.#state = S.trailers
          } else {
            this.#remaining = size
            this.#state = S.chunkData
          }
          break
        }
        case S.chunkData: {
          const take = Math.min(this.#remaining, data.length - offset)
          this.#events.onBody(data.subarray(offset, offset + take), false)
          offset += take
          this.#remaining -= take
          if (this.#remaining === 0) this.#state = S.chunkDataEnd
          break
        }
        case S.chunkDataEnd: {
          if (data.length - offset < 2) {
            this.#pending = data.subarray(offset)
            return null
          }
          if (data[offset] !== 13 || data[offset + 1] !== 10) throw new ResponseProtocolError('chunk not followed by CRLF')
          offset += 2
          this.#state = S.chunkSize
          break
        }
        case S.trailers: {
          const end = data.indexOf('\r\n', offset, 'latin1')
          if (end === -1) {
            if (this.#trailerBytes + data.length - offset > MAX_TRAILER_BYTES) throw new ResponseProtocolError('trailers too large')
            this.#pending = data.subarray(offset)
            return null
          }
          this.#trailerBytes += end - offset + 2
          if (this.#trailerBytes > MAX_TRAILER_BYTES) throw new ResponseProtocolError('trailers too large')
          const line = data.toString('latin1', offset, end)
          offset = end + 2
          if (line.length === 0) {
            this.#complete()
          } else {
            const [name, value] = splitField(line)
            ;(this.#trailers ??= []).push(name, value)
          }
          break
        }
        case S.done:
          // Bytes after a complete response on a connection we did not ask to pipeline.
          return data.subarray(offset)
      }
    }
    return null
  }

  /** The upstream closed the connection; returns true when that legitimately ends the response. */
  finishOnClose(): boolean {
    if (this.#state === S.untilClose) {
      this.#complete()
      return true
    }
    return this.#state === S.done
  }

  #parseHead(head: string): void {
    const lines = head.split('\r\n')
    const match = STATUS_LINE.exec(lines[0])
    if (match === null) throw new ResponseProtocolError('invalid status line')
    const status = Number(match[2])
    const http10 = match[1] === '0'
    const headers: string[] = []
    let contentLength = -1
    let transferEncoding: string | null = null
    let connection: string | null = null
    for (let i = 1; i < lines.length; i++) {
      const [name, value] = splitField(lines[i])
      headers.push(name, value)
      const lower = name.length === 14 || name.length === 17 || name.length === 10 ? name.toLowerCase() : ''
      if (lower === 'content-length') {
        if (!DIGITS.test(value)) throw new ResponseProtocolError('invalid content-length')
        const length = Number(value)
        if (contentLength !== -1 && contentLength !== length) throw new ResponseProtocolError('conflicting content-length')
        contentLength = length
      } else if (lower === 'transfer-encoding') {
        transferEncoding = transferEncoding === null ? value : `${transferEncoding}, ${value}`
      } else if (lower === 'connection') {
        connection = connection === null ? value.toLowerCase() : `${connection}, ${value.toLowerCase()}`
      }
    }
    if (status < 200) {
      // Interim responses (100 Continue, 103 Early Hints) are consumed; 101 is never solicited.
      if (status === 101) throw new ResponseProtocolError('unsolicited protocol switch')
      return
    }
    if (transferEncoding !== null && contentLength !== -1) throw new ResponseProtocolError('both content-length and transfer-encoding')
    this.keepAlive = http10 ? hasToken(connection, 'keep-alive') : !hasToken(connection, 'close')
    this.#events.onHead(status, headers)
    if (this.#noBody || status === 204 || status === 304) {
      this.#complete()
    } else if (transferEncoding !== null) {
      const codings = transferEncoding.toLowerCase().split(',')
      if (codings[codings.length - 1].trim() === 'chunked') {
        this.#state = S.chunkSize
      } else {
        this.keepAlive = false
        this.#state = S.untilClose
      }
    } else if (contentLength === 0) {
      this.#complete()
    } else if (contentLength > 0) {
      this.#remaining = contentLength
      this.#state = S.fixed
    } else {
      this.keepAlive = false
      this.#state = S.untilClose
    }
  }

  #complete(): void {
    this.#state = S.done
    this.#events.onComplete(this.#trailers)
  }
}

function splitField(line: string): [string, string] {
  const colon = line.indexOf(':')
  if (colon <= 0) throw new ResponseProtocolError('malformed header line')
  const name = line.slice(0, colon)
  if (!TOKEN.test(name)) throw new ResponseProtocolError('invalid header name')
  const value = line.slice(colon + 1).trim()
  if (BAD_VALUE.test(value)) throw new ResponseProtocolError('invalid character in header value')
  return [name, value]
}

function hasToken(list: string | null, token: string): boolean {
  if (list === null) return false
  if (list === token) return true
  for (const part of list.split(',')) if (part.trim() === token) return true
  return false
}
