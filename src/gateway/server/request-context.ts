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

  constructor(raw: IncomingMessage, fields: RequestFields, upstreamPath: string, upstreamHeaders: string[], maxBodySize: number) {
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

  /** Ends the request phases: from here on the request belongs to the upstream exchange. */
  markDispatched(): void {
    this.#dispatched = true
  }
}
