// Bounded request bodies. The key manager buffers whole bodies (forms and small JSON documents), so
// every read has a ceiling: a declared Content-Length above it is refused before a byte is read
// (and before 100 Continue is sent), and a chunked body is cut off as soon as it passes it.
import type { IncomingMessage, ServerResponse } from 'node:http'

export class BodyTooLargeError extends Error {
  readonly limit: number

  constructor(limit: number) {
    super(`request body is larger than ${limit} bytes`)
    this.name = 'BodyTooLargeError'
    this.limit = limit
  }
}

/** Reads the whole body; rejects with BodyTooLargeError past `maxBytes`. */
export function readBody(req: IncomingMessage, res: ServerResponse, expectContinue: boolean, maxBytes: number): Promise<Buffer> {
  const declared = req.headers['content-length']
  if (declared !== undefined && Number(declared) > maxBytes) return Promise.reject(new BodyTooLargeError(maxBytes))
  if (expectContinue) res.writeContinue()
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = []
    let received = 0
    let done = false
    const finish = (error: Error | null): void => {
      if (done) return
      done = true
      req.off('data', onData)
      req.off('end', onEnd)
      req.off('error', onError)
      if (error === null) resolve(Buffer.concat(chunks, received))
      else reject(error)
    }
    const onData = (chunk: Buffer): void => {
      received += chunk.length
      if (received > maxBytes) {
        // Stop reading: the answer goes out with Connection: close, and the rest is never parsed.
        req.pause()
        finish(new BodyTooLargeError(maxBytes))
      } else {
        chunks.push(chunk)
      }
    }
    const onEnd = (): void => finish(null)
    const onError = (error: Error): void => finish(error)
    req.on('data', onData)
    req.on('end', onEnd)
    req.on('error', onError)
  })
}

/** The media type of Content-Type without parameters, lower-cased; '' when absent. */
export function mediaTypeOf(req: IncomingMessage): string {
  const header = req.headers['content-type'] ?? ''
  const semicolon = header.indexOf(';')
  return (semicolon === -1 ? header : header.slice(0, semicolon)).trim().toLowerCase()
}

/** Whether the request declares a body: chunked, or a Content-Length above 0. */
export function declaresBody(req: IncomingMessage): boolean {
  return req.headers['transfer-encoding'] !== undefined || Number(req.headers['content-length'] ?? 0) > 0
}

/**
 * Whether the request declared a body that has not been received completely: answering such a
 * request early should close the connection rather than wait for, and discard, the rest.
 */
export function bodyLeftUnread(req: IncomingMessage): boolean {
  return !req.complete && declaresBody(req)
}
