import net from 'node:net'
import { ResponseParser, ResponseProtocolError, type ResponseEvents } from './response-parser.ts'

export type UpstreamFailure = 'connect' | 'timeout' | 'reset' | 'protocol'

/** The proxy's side of one request/response exchange on an upstream connection. */
export interface Exchange {
  onHead(status: number, headers: string[]): void
  /** Returns false when the client cannot take more now; the connection then pauses reading. */
  onBody(chunk: Buffer, last: boolean): boolean
  onComplete(trailers: string[] | null): void
  /** `responseStarted`: some response bytes already arrived (the exchange cannot be retried). */
  onFailure(kind: UpstreamFailure, detail: string, responseStarted: boolean): void
}

export interface ConnectionTimeouts {
  connectMs: number
  headersMs: number
  bodyMs: number
  keepAliveMs: number
}

const P = { connecting: 0, idle: 1, awaitingHead: 2, body: 3, closed: 4 } as const
type Phase = (typeof P)[keyof typeof P]

/**
 * One keep-alive socket to a target, carrying one exchange at a time. The request head is written
 * as one string and the response is parsed by ResponseParser; body bytes are handed on as the same
 * Buffers the socket produced.
 */
export class UpstreamConnection implements ResponseEvents {
  readonly socket: net.Socket
  #phase: Phase = P.connecting
  #exchange: Exchange | null = null
  #parser = new ResponseParser(this)
  #timeouts: ConnectionTimeouts
  #headDeadline = 0
  #requestEnded = true
  #onRelease: (connection: UpstreamConnection, reusable: boolean) => void
  /** Number of exchanges this connection has carried (0 while on its first). */
  uses = 0

  constructor(host: string, port: number, timeouts: ConnectionTimeouts, onRelease: (connection: UpstreamConnection, reusable: boolean) => void) {
    this.#timeouts = timeouts
    this.#onRelease = onRelease
    const socket = net.connect({ host, port, noDelay: true, keepAlive: true })
    this.socket = socket
    socket.setTimeout(timeouts.connectMs)
    socket.on('connect', () => {
      if (this.#phase === P.connecting) this.#phase = this.#exchange === null ? P.idle : P.awaitingHead
      socket.setTimeout(this.#exchange === null ? timeouts.keepAliveMs : timeouts.headersMs)
    })
    socket.on('data', (chunk: Buffer) => this.#onData(chunk))
    socket.on('timeout', () => this.#onTimeout())
    socket.on('error', (error: NodeJS.ErrnoException) => this.#onSocketEnd(error.code ?? error.message))
    socket.on('close', () => this.#onSocketEnd('connection closed'))
    socket.on('end', () => this.#onSocketEnd('connection closed by upstream'))
  }

  get closed(): boolean {
    return this.#phase === P.closed
  }

  /** Starts an exchange: writes the request head (and a small body, if given). */
  start(exchange: Exchange, head: string, isHead: boolean, hasBody: boolean): void {
    this.#exchange = exchange
    this.#parser.reset(isHead)
    this.#requestEnded = !hasBody
    this.#headDeadline = Date.now() + this.#timeouts.headersMs
    if (this.#phase === P.idle) {
      this.#phase = P.awaitingHead
      this.socket.setTimeout(this.#timeouts.headersMs)
    }
    this.socket.write(head, 'latin1')
  }

  /** Writes request body bytes; returns false when the socket's buffer is full. */
  writeBody(chunk: Buffer | string): boolean {
    return this.socket.write(chunk)
  }

  endBody(last?: string): void {
    if (last !== undefined) this.socket.write(last, 'latin1')
    this.#requestEnded = true
    if (this.#parser.done) this.#finish()
  }

  /** Resumes reading after the client drained (see Exchange.onBody). */
  resume(): void {
    this.socket.resume()
  }

  /** Ends the connection without a response (client went away, body limit hit, shutdown). */
  destroy(notifyPool = true): void {
    if (this.#phase === P.closed) return
    this.#exchange = null
    this.#close()
    if (notifyPool) this.#onRelease(this, false)
  }

  // --- ResponseEvents (called by the parser) ---
  onHead(status: number, headers: string[]): void {
    this.#phase = P.body
    this.socket.setTimeout(this.#timeouts.bodyMs)
    this.#exchange?.onHead(status, headers)
  }

  onBody(chunk: Buffer, last: boolean): void {
    if (this.#exchange !== null && !this.#exchange.onBody(chunk, last)) this.socket.pause()
  }

  onComplete(trailers: string[] | null): void {
    const exchange = this.#exchange
    exchange?.onComplete(trailers)
    if (this.#requestEnded) this.#finish()
  }

  #finish(): void {
    if (this.#exchange === null && this.#phase === P.closed) return
    this.#exchange = null
    this.uses++
    const reusable = this.#parser.keepAlive && this.#phase !== P.closed
    if (reusable) {
      this.#phase = P.idle
      this.socket.setTimeout(this.#timeouts.keepAliveMs)
    } else {
      this.#close()
    }
    this.#onRelease(this, reusable)
  }

  #onData(chunk: Buffer): void {
    if (this.#exchange === null) {
      // Bytes nobody asked for: the connection's framing can no longer be trusted.
      this.#close()
      return
    }
    if (this.#phase === P.awaitingHead && Date.now() > this.#headDeadline) {
      this.#fail('timeout', 'response head not received in time')
      return
    }
    try {
      const extra = this.#parser.execute(chunk)
      if (extra !== null && extra.length > 0) this.#parser.keepAlive = false
    } catch (error) {
      if (error instanceof ResponseProtocolError) this.#fail('protocol', error.message)
      else throw error
    }
  }

  #onTimeout(): void {
    if (this.#exchange === null) {
      this.#close() // idle keep-alive timeout
      this.#onRelease(this, false)
      return
    }
    const detail = this.#phase === P.connecting ? 'connect timed out' : this.#phase === P.awaitingHead ? 'response head not received in time' : 'response body stalled'
    this.#fail('timeout', detail)
  }

  #onSocketEnd(reason: string): void {
    if (this.#phase === P.closed) return
    if (this.#exchange === null) {
      this.#close()
      this.#onRelease(this, false)
      return
    }
    if (this.#parser.finishOnClose()) {
      this.#close()
      return
    }
    this.#fail(this.#phase === P.connecting ? 'connect' : 'reset', reason)
  }

  #fail(kind: UpstreamFailure, detail: string): void {
    const exchange = this.#exchange
    const started = this.#parser.started
    this.#exchange = null
    this.#close()
    this.#onRelease(this, false)
    exchange?.onFailure(kind, detail, started)
  }

  #close(): void {
    if (this.#phase === P.closed) return
    this.#phase = P.closed
    this.socket.destroy()
  }
}
