import type { IncomingMessage } from 'node:http'
import { GatehouseError } from '../../core/errors/gatehouse-error.ts'
import { HeaderList } from '../../kit/header-list.ts'
import type { DirectResponse, GatewayRequest, Identity, RequestContext, UpstreamRequest } from '../../kit/context.ts'

export interface RequestFields {
  method: string
  path: string
  query: string
  host: string
  clientIp: string
  params: Record<string, string | undefined>
  correlationId: string
}

/** The gateway's RequestContext; one per routed request. It doubles as ctx.request. */
export class GatewayRequestContext implements RequestContext, GatewayRequest {
  readonly method: string
  readonly path: string
  readonly query: string
  readonly host: string
  readonly clientIp: string
  readonly params: Readonly<Record<string, string | undefined>>
  readonly correlationId: string
  readonly raw: IncomingMessage
  readonly upstream: UpstreamRequest
  identity: Identity | undefined = undefined
  maxBodySize: number
  directResponse: DirectResponse | undefined = undefined
  #responseHeaders: HeaderList | null = null
  #state: Map<string, unknown> | null = null
  #dispatched = false
  readonly hasBody: boolean
  #beforeBodyRead: (() => void) | undefined
  #bodyPromise: Promise<Buffer> | undefined = undefined
  /** The whole request body once readBody() finished. */
  body: Buffer | undefined = undefined
  /** readBody() started and did not finish: the connection's remaining input is in doubt. */
  bodyIncomplete = false

  /**
   * `hasBody`: the request announced a body (Content-Length > 0 or chunked). `beforeBodyRead`
   * runs once before the body is read (it answers `Expect: 100-continue`).
   */
  constructor(raw: IncomingMessage, fields: RequestFields, upstreamPath: string, upstreamHeaders: string[], maxBodySize: number, hasBody = false, beforeBodyRead?: () => void) {
    this.hasBody = hasBody
    this.#beforeBodyRead = beforeBodyRead
    this.raw = raw
    this.method = fields.method
    this.path = fields.path
    this.query = fields.query
    this.host = fields.host
    this.clientIp = fields.clientIp
    this.params = fields.params
    this.correlationId = fields.correlationId
    this.upstream = { path: upstreamPath, headers: new HeaderList(upstreamHeaders) }
    this.maxBodySize = maxBodySize
  }

  get request(): GatewayRequest {
    return this
  }

  /** node's parsed header object, which node builds lazily on first access. */
  get headers(): IncomingMessage['headers'] {
    return this.raw.headers
  }

  get responseHeaders(): HeaderList {
    return (this.#responseHeaders ??= new HeaderList())
  }

  /** Response headers policies added, or null when none did (the common case). */
  get addedResponseHeaders(): string[] | null {
    return this.#responseHeaders === null || this.#responseHeaders.flat.length === 0 ? null : this.#responseHeaders.flat
  }

  get state(): Map<string, unknown> {
    return (this.#state ??= new Map())
  }

  respond(response: DirectResponse): void {
    if (this.#dispatched) throw new GatehouseError('GH_ERR_PHASE_VIOLATION', 'respond() called after the request went upstream')
    if (this.directResponse !== undefined) throw new GatehouseError('GH_ERR_PHASE_VIOLATION', 'respond() called twice')
    this.directResponse = response
  }

  readBody(): Promise<Buffer> {
    if (this.#bodyPromise !== undefined) return this.#bodyPromise
    if (this.#dispatched) return Promise.reject(new GatehouseError('GH_ERR_PHASE_VIOLATION', 'readBody() called after the request went upstream'))
    if (!this.hasBody) {
      this.body = EMPTY
      this.#bodyPromise = Promise.resolve(EMPTY)
      return this.#bodyPromise
    }
    const declared = Number(this.raw.headers['content-length'] ?? -1)
    if (declared > this.maxBodySize) return (this.#bodyPromise = Promise.reject(tooLarge(this.maxBodySize)))
    this.bodyIncomplete = true
    this.#beforeBodyRead?.()
    this.#bodyPromise = collectBody(this.raw, this.maxBodySize).then((body) => {
      this.bodyIncomplete = false
      this.body = body
      return body
    })
    return this.#bodyPromise
  }

  /** Ends the request phases: from here on the request belongs to the upstream exchange. */
  markDispatched(): void {
    this.#dispatched = true
  }
}

const EMPTY = Buffer.alloc(0)

function tooLarge(limit: number): GatehouseError {
  return new GatehouseError('GH_ERR_BODY_TOO_LARGE', `request body exceeds the limit of ${limit} bytes`)
}

/** The request's body as one buffer; rejects past `limit` bytes or when the body is cut off. */
function collectBody(raw: IncomingMessage, limit: number): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = []
    let size = 0
    const cleanup = (): void => {
      raw.off('data', onData)
      raw.off('end', onEnd)
      raw.off('error', onError)
      raw.off('aborted', onAborted)
    }
    const onData = (chunk: Buffer): void => {
      size += chunk.length
      if (size > limit) {
        cleanup()
        raw.pause()
        reject(tooLarge(limit))
        return
      }
      chunks.push(chunk)
    }
    const onEnd = (): void => {
      cleanup()
      resolve(chunks.length === 1 ? chunks[0] : Buffer.concat(chunks, size))
    }
    // Malformed chunking or a client that went away: nothing complete to forward (SMUG-05).
    const onError = (): void => {
      cleanup()
      reject(new GatehouseError('GH_ERR_BAD_FRAMING', 'request body could not be read completely'))
    }
    const onAborted = onError
    raw.on('data', onData)
    raw.on('end', onEnd)
    raw.on('error', onError)
    raw.on('aborted', onAborted)
  })
}
