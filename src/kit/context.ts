import type { IncomingMessage } from 'node:http'
import type { HeaderList } from './header-list.ts'

/** What the gateway knows about the incoming request. Read-only for policies. */
export interface GatewayRequest {
  readonly method: string
  /** Normalised path, without the query string. */
  readonly path: string
  /** Raw query string without the leading `?`; empty when there is none. */
  readonly query: string
  /** Host name the request was routed on (lower case, without port). */
  readonly host: string
  /** Client address: the socket peer, or the right-most untrusted forwarded address. */
  readonly clientIp: string
  /** Parsed request headers (lower-case names), as node:http gives them. */
  readonly headers: IncomingMessage['headers']
  /** The request announced a body (`Content-Length` above 0, or chunked). */
  readonly hasBody: boolean
  /** Path parameters of the matched route. */
  readonly params: Readonly<Record<string, string | undefined>>
  readonly correlationId: string
  /** The underlying node:http request, for the body stream. */
  readonly raw: IncomingMessage
}

/** What will be sent upstream; request-phase policies may change it. */
export interface UpstreamRequest {
  /** Path and query as sent to the target. */
  path: string
  headers: HeaderList
}

/** Status and headers of the response before they are written to the client. */
export interface ResponseHead {
  status: number
  headers: HeaderList
}

/** Who the caller is, once an authenticate-phase policy has decided. */
export interface Identity {
  consumerId?: string
  clientId?: string
  subject?: string
  scopes?: readonly string[]
}

/** Summary handed to onLog handlers after the response has ended. */
export interface RequestSummary {
  status: number
  durationMs: number
  upstreamMs: number | undefined
  bytesSent: number
  /** True when the client went away before the response ended. */
  aborted: boolean
  errorCode: string | undefined
}

export interface DirectResponse {
  status: number
  headers?: Record<string, string>
  body?: string | Buffer
}

/** The per-request object every policy handler receives. */
export interface RequestContext {
  readonly request: GatewayRequest
  readonly upstream: UpstreamRequest
  /** Headers added to whatever response the client eventually gets (including error responses). */
  readonly responseHeaders: HeaderList
  identity: Identity | undefined
  /** Largest request body allowed on this request (bytes); the proxy enforces it while streaming. */
  maxBodySize: number
  /** Set by respond(); once set, no further request phase runs and nothing goes upstream. */
  directResponse: DirectResponse | undefined
  /** Answer the request from the gateway (e.g. a CORS preflight). */
  respond(response: DirectResponse): void
  /**
   * Reads the whole request body into memory (bounded by `maxBodySize`: beyond it the promise
   * rejects with GH_ERR_BODY_TOO_LARGE). Once read, exactly these bytes go upstream with a
   * `Content-Length` (chunked framing and trailers are not kept). An empty buffer when the request
   * has no body. Request phases only; calling it twice returns the same promise.
   */
  readBody(): Promise<Buffer>
  /** The body once readBody() finished; undefined before or when it was never asked for. */
  readonly body: Buffer | undefined
  /** Per-request scratch space shared between a route's policies. */
  readonly state: Map<string, unknown>
}
