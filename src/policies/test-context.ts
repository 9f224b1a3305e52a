import { IncomingMessage, type IncomingHttpHeaders } from 'node:http'
import { Socket } from 'node:net'
import { GatehouseError } from '../core/errors/gatehouse-error.ts'
import type { DirectResponse, RequestContext } from '../kit/context.ts'
import { HeaderList } from '../kit/header-list.ts'

/** The parts of a request a test cares about; everything else gets a plain default. */
export interface TestContextInit {
  method?: string
  path?: string
  query?: string
  host?: string
  clientIp?: string
  /** Request headers; names are lower-cased, as node:http does. */
  headers?: IncomingHttpHeaders
  params?: Record<string, string | undefined>
  correlationId?: string
  /** Path sent upstream; defaults to `path` plus `?query`. */
  upstreamPath?: string
  /** Upstream headers as a flat [name, value, …] array; defaults to the request headers. */
  upstreamHeaders?: string[]
  maxBodySize?: number
  /** Request body readBody() resolves with; default none (an empty buffer). */
  body?: Buffer | string
}

/**
 * Builds a RequestContext the way the gateway hands one to policies: HeaderList instances for the
 * upstream request and the response additions, and a respond() that records the direct response.
 * The `raw` request is a real IncomingMessage on an unconnected socket (no I/O happens).
 */
export function makeTestContext(init: TestContextInit = {}): RequestContext {
  const headers = lowerCaseHeaders(init.headers ?? {})
  const method = init.method ?? 'GET'
  const path = init.path ?? '/'
  const query = init.query ?? ''
  const raw = new IncomingMessage(new Socket())
  raw.method = method
  raw.url = query === '' ? path : `${path}?${query}`
  raw.headers = headers
  raw.rawHeaders = flatten(headers)

  const ctx: RequestContext = {
    request: {
      method,
      path,
      query,
      host: init.host ?? 'gateway.test',
      clientIp: init.clientIp ?? '127.0.0.1',
      headers,
      hasBody: init.body !== undefined && init.body.length > 0,
      params: init.params ?? {},
      correlationId: init.correlationId ?? 'test-correlation-id',
      raw,
    },
    upstream: { path: init.upstreamPath ?? raw.url, headers: new HeaderList(init.upstreamHeaders ?? flatten(headers)) },
    responseHeaders: new HeaderList(),
    identity: undefined,
    maxBodySize: init.maxBodySize ?? 1024 * 1024,
    directResponse: undefined,
    respond(response: DirectResponse): void {
      // A second answer to one request is a policy bug; the gateway treats it the same way.
      if (ctx.directResponse !== undefined) throw new GatehouseError('GH_ERR_PHASE_VIOLATION', 'respond() was called twice for one request')
      ctx.directResponse = response
    },
    state: new Map(),
    body: undefined,
    readBody(): Promise<Buffer> {
      const body = init.body === undefined ? Buffer.alloc(0) : Buffer.from(init.body)
      if (body.length > ctx.maxBodySize) return Promise.reject(new GatehouseError('GH_ERR_BODY_TOO_LARGE', `request body exceeds the limit of ${ctx.maxBodySize} bytes`))
      ;(ctx as { body: Buffer | undefined }).body = body
      return Promise.resolve(body)
    },
  }
  return ctx
}

function lowerCaseHeaders(headers: IncomingHttpHeaders): IncomingHttpHeaders {
  const lowered: IncomingHttpHeaders = {}
  for (const [name, value] of Object.entries(headers)) if (value !== undefined) lowered[name.toLowerCase()] = value
  return lowered
}

function flatten(headers: IncomingHttpHeaders): string[] {
  const flat: string[] = []
  for (const [name, value] of Object.entries(headers)) {
    if (value === undefined) continue
    if (Array.isArray(value)) for (const item of value) flat.push(name, item)
    else flat.push(name, value)
  }
  return flat
}
