import type { Duplex } from 'node:stream'
import { problemFor } from '../../core/errors/problem.ts'
import type { ErrorCode } from '../../core/errors/catalogue.ts'
import { CATALOGUE } from '../../core/errors/catalogue.ts'

// llhttp's error codes for requests it refuses before they reach the request handler. Anything
// about message framing is GH_ERR_BAD_FRAMING: those are the smuggling vectors (RFC 9112 §6.3).
const FRAMING = new Set([
  'HPE_INVALID_CONTENT_LENGTH', 'HPE_UNEXPECTED_CONTENT_LENGTH', 'HPE_INVALID_TRANSFER_ENCODING', 'HPE_INVALID_CHUNK_SIZE',
  'HPE_CHUNK_EXTENSIONS_OVERFLOW', 'HPE_INVALID_EOF_STATE', 'HPE_STRICT', 'HPE_CR_EXPECTED', 'HPE_LF_EXPECTED',
])

function codeFor(error: NodeJS.ErrnoException & { rawPacket?: Buffer }): ErrorCode {
  switch (error.code) {
    case 'HPE_HEADER_OVERFLOW':
      // A request line alone longer than the header limit is 414, everything else 431 (LOAD-02).
      return error.rawPacket !== undefined && error.rawPacket.indexOf('\n') === -1 ? 'GH_ERR_URI_TOO_LONG' : 'GH_ERR_HEADERS_TOO_LARGE'
    case 'ERR_HTTP_REQUEST_TIMEOUT':
    case 'ERR_HTTP_HEADERS_TIMEOUT':
      return 'GH_ERR_REQUEST_TIMEOUT'
    case 'HPE_CHUNK_EXTENSIONS_OVERFLOW':
      return 'GH_ERR_BODY_TOO_LARGE'
    default:
      return FRAMING.has(error.code ?? '') ? 'GH_ERR_BAD_FRAMING' : 'GH_ERR_BAD_REQUEST'
  }
}

type PendingResponse = { headersSent?: boolean; req?: { complete?: boolean }; once(event: 'close', listener: () => void): void }

/**
 * Answers a request node:http's parser refused, with a problem document, and closes the
 * connection: after a parse error nothing later on the socket can be trusted to be a request.
 */
export function onClientError(error: NodeJS.ErrnoException & { rawPacket?: Buffer }, socket: Duplex): void {
  // Bytes after a request that carried `Connection: close` are ignored (RFC 9112 §9.6): the
  // pending responses still go out and node closes the connection after the last one.
  if (error.code === 'HPE_CLOSED_CONNECTION') return
  const message = (socket as Duplex & { _httpMessage?: PendingResponse | null })._httpMessage
  if (message != null && message.req?.complete === true && error.code !== 'ECONNRESET' && error.code !== 'EPIPE') {
    // The broken request was pipelined behind requests still being answered: an answer written now
    // would be read as the answer to the first of them. Answer once they are done.
    message.once('close', () => setImmediate(() => onClientError(error, socket)))
    return
  }
  if (error.code === 'ECONNRESET' || error.code === 'EPIPE' || !socket.writable || message?.headersSent === true) {
    socket.destroy()
    return
  }
  const code = codeFor(error)
  const status = CATALOGUE[code].status
  const body = JSON.stringify(problemFor(code, `request refused by the HTTP parser (${error.code ?? 'unknown'})`))
  socket.end(
    `HTTP/1.1 ${status} ${CATALOGUE[code].title}\r\ncontent-type: application/problem+json\r\ncontent-length: ${Buffer.byteLength(body)}\r\ncache-control: no-store\r\nconnection: close\r\n\r\n${body}`,
  )
  // end() flushes then half-closes; a client that never reads must not keep the socket alive.
  setTimeout(() => socket.destroy(), 1000).unref()
}
