import { randomUUID } from 'node:crypto'
import type { IncomingMessage, ServerResponse } from 'node:http'
import { performance } from 'node:perf_hooks'
import { bodyBytesSent, byteLengthOf } from '../../core/body-bytes.ts'
import { runRequestSteps } from '../../core/chain.ts'
import { GatehouseError } from '../../core/errors/gatehouse-error.ts'
import { sendProblem, toGatehouseError } from '../../core/errors/problem.ts'
import { HeaderList } from '../../kit/header-list.ts'
import { RESPONSE_INSPECTION_LIMIT } from '../../kit/policy.ts'
import { normalizePath } from '../router/normalize-path.ts'
import type { CompiledRoute, Runtime } from '../runtime.ts'
import type { RequestObservers } from '../services.ts'
import { GatewayRequestContext } from '../server/request-context.ts'
import type { Target } from '../upstreams/target.ts'
import type { ConnectionPool } from '../upstreams/connection-pool.ts'
import { forwardedNode, validCorrelationId, validTraceparent, withoutMethodOverride } from './forwarding.ts'
import { filterResponseHeaders, scanRequestHeaders, type ScannedHeaders } from './request-head.ts'
import type { Exchange, UpstreamConnection, UpstreamFailure } from './upstream-connection.ts'

const IDEMPOTENT = new Set(['GET', 'HEAD', 'OPTIONS', 'PUT', 'DELETE', 'TRACE'])
const FAILURE_CODES = {
  connect: 'GH_ERR_UPSTREAM_CONNECT_FAILED',
  timeout: 'GH_ERR_UPSTREAM_TIMEOUT',
  reset: 'GH_ERR_UPSTREAM_RESET',
  protocol: 'GH_ERR_UPSTREAM_PROTOCOL_ERROR',
} as const
const VIA = '1.1 gatehouse'

/**
 * One client request from arrival to the end of its response: route, run the policy chain, send
 * upstream, stream both bodies, report. The object is the upstream Exchange, so the request path
 * allocates one object of its own besides the policy context.
 */
export class ProxyExchange implements Exchange {
  readonly #req: IncomingMessage
  readonly #res: ServerResponse
  readonly #runtime: Runtime
  readonly #observers: RequestObservers
  readonly #start: number
  readonly #expectContinue: boolean
  #ctx: GatewayRequestContext | null = null
  #route: CompiledRoute | null = null
  #scanned: ScannedHeaders | null = null
  #correlationId = ''
  #clientIp = ''
  #target: Target | null = null
  #pool: ConnectionPool | null = null
  #connection: UpstreamConnection | null = null
  #attempts = 0
  #upstreamStart = 0
  #upstreamMs: number | undefined = undefined
  #bytesSent = 0
  #bodyBytes = 0
  #hasBody = false
  /** Whether the request body is being (or was) consumed by the upstream exchange. */
  #bodyRead = false
  /** The client response was ended together with the last body bytes. */
  #ended = false
  #errorCode: string | undefined = undefined
  /** Request line and `host: ` prefix; the authority depends on the target picked. */
  #requestLine = ''
  /** Everything after the Host field, up to and including the blank line. */
  #upstreamHead = ''
  /** A response held back for inspectResponse handlers: head and the body so far. */
  #held: { status: number; headers: string[]; chunks: Buffer[]; size: number } | null = null

  constructor(req: IncomingMessage, res: ServerResponse, runtime: Runtime, observers: RequestObservers, expectContinue: boolean) {
    this.#req = req
    this.#res = res
    this.#runtime = runtime
    this.#observers = observers
    this.#expectContinue = expectContinue
    this.#start = performance.now()
    runtime.inFlight++
    res.on('close', this.#onClose)
  }

  begin(): void {
    try {
      this.#route_()
    } catch (error) {
      const gatehouseError = toGatehouseError(error)
      // A request the gateway could not make sense of leaves the connection in doubt: close it.
      this.#fail(gatehouseError, gatehouseError.status === 400)
    }
  }

  #route_(): void {
    const req = this.#req
    const scanned = scanRequestHeaders(req.rawHeaders)
    this.#scanned = scanned
    this.#correlationId = validCorrelationId(scanned.correlationId) ? scanned.correlationId : randomUUID()
    this.#clientIp = this.#runtime.forwarding.clientAddress(req.socket.remoteAddress ?? '', scanned.forwardedFor)
    let target = req.url ?? '/'
    let authority = scanned.host
    if (target.charCodeAt(0) !== 47) {
      // Absolute form (RFC 9112 §3.2.2): the request target's authority wins over Host, and
      // routing, policies and the upstream all see that one (SMUG-08).
      const parsed = /^https?:\/\/([^/?#]+)([^#]*)$/i.exec(target)
      if (parsed === null) throw new GatehouseError('GH_ERR_BAD_PATH', 'request target must be a path or an absolute http(s) URL')
      authority = parsed[1]
      // RFC 9112 §3.2.2: the Host header is ignored and replaced by the target's authority, so the
      // upstream (preserveHost, X-Forwarded-Host, Forwarded) hears of the host that was routed on.
      scanned.host = authority
      target = parsed[2] === '' ? '/' : parsed[2]
    }
    const queryIndex = target.indexOf('?')
    const rawPath = queryIndex === -1 ? target : target.slice(0, queryIndex)
    const query = queryIndex === -1 ? '' : target.slice(queryIndex + 1)
    const path = normalizePath(rawPath)
    if (scanned.badTransferEncoding) throw new GatehouseError('GH_ERR_BAD_FRAMING', 'Transfer-Encoding other than "chunked"')
    if (scanned.duplicateHost) throw new GatehouseError('GH_ERR_BAD_REQUEST', 'more than one Host header')
    const host = hostName(authority)
    const method = req.method ?? 'GET'
    const match = this.#runtime.match(method, path, host)
    if (match === null) throw new GatehouseError('GH_ERR_ROUTE_NOT_FOUND', `no route for ${method} ${path}`)
    const route = match.entry.route
    this.#route = route
    const forwardedQuery = queryIndex === -1 ? '' : withoutMethodOverride(query)
    // A query emptied by the removal goes without its "?"; one the client sent empty stays as sent.
    const upstreamQuery = queryIndex === -1 || (forwardedQuery === '' && query !== '') ? '' : '?' + forwardedQuery
    const upstreamPath = (route.stripSegments >= 0 ? stripSegments(path, route.stripSegments) : path) + upstreamQuery
    this.#hasBody = scanned.chunked || (scanned.contentLength !== undefined && scanned.contentLength !== '0')
    const ctx = new GatewayRequestContext(req, { method, path, query, host, clientIp: this.#clientIp, params: match.params, correlationId: this.#correlationId }, upstreamPath, scanned.forward, this.#runtime.config.limits.maxBodySize, this.#hasBody, this.#writeContinue)
    this.#ctx = ctx
    const steps = route.chain.request
    const pending = steps === null ? undefined : runRequestSteps(steps, ctx)
    if (pending === undefined) this.#afterPolicies()
    // One catch covers a rejected policy and anything #afterPolicies throws on this async path.
    else pending.then(() => this.#afterPolicies()).catch((error: unknown) => this.#fail(toGatehouseError(error)))
  }

  #writeContinue = (): void => {
    if (this.#expectContinue) this.#res.writeContinue()
  }

  #afterPolicies(): void {
    const ctx = this.#ctx!
    if (ctx.directResponse !== undefined) {
      const { status, headers, body } = ctx.directResponse
      const flat = headers === undefined ? [] : Object.entries(headers).flat()
      if (!this.#writeHead(status, flat)) return
      this.#bytesSent += bodyBytesSent(this.#req.method, status, byteLengthOf(body))
      this.#res.end(body)
      return
    }
    const contentLength = this.#scanned!.contentLength
    if (contentLength !== undefined && Number(contentLength) > ctx.maxBodySize) {
      this.#fail(new GatehouseError('GH_ERR_BODY_TOO_LARGE', `request body of ${contentLength} bytes exceeds the limit of ${ctx.maxBodySize}`), true)
      return
    }
    this.#upstreamHead = this.#buildHead()
    ctx.markDispatched()
    this.#dispatch()
  }

  #buildHead(): string {
    const ctx = this.#ctx!
    const scanned = this.#scanned!
    const req = this.#req
    const rules = this.#runtime.forwarding
    const peer = req.socket.remoteAddress ?? ''
    const trusted = rules.isTrusted(peer)
    const proto = (trusted && scanned.forwardedProto) || ((req.socket as { encrypted?: boolean }).encrypted === true ? 'https' : 'http')
    const clientHost = scanned.host ?? ''
    const forwardedHost = (trusted && scanned.forwardedHost) || clientHost
    const peerPlain = peer.startsWith('::ffff:') ? peer.slice(7) : peer
    const xff = trusted && scanned.forwardedFor !== undefined ? `${scanned.forwardedFor}, ${peerPlain}` : peerPlain
    this.#requestLine = `${ctx.method} ${ctx.upstream.path} HTTP/1.1\r\nhost: `
    let head = '\r\n'
    const flat = ctx.upstream.headers.flat
    for (let i = 0; i < flat.length; i += 2) head += `${flat[i]}: ${flat[i + 1]}\r\n`
    head += `x-forwarded-for: ${xff}\r\nx-forwarded-proto: ${proto}\r\n`
    if (forwardedHost !== '') head += `x-forwarded-host: ${forwardedHost}\r\n`
    if (rules.forwarded) {
      const own = `for=${forwardedNode(peerPlain)};proto=${proto}${clientHost === '' ? '' : `;host="${clientHost}"`}`
      head += `forwarded: ${trusted && scanned.forwarded !== undefined ? `${scanned.forwarded}, ${own}` : own}\r\n`
    }
    if (rules.via) head += `via: ${scanned.via === undefined ? VIA : `${scanned.via}, ${VIA}`}\r\n`
    head += `x-correlation-id: ${this.#correlationId}\r\n`
    if (validTraceparent(scanned.traceparent)) {
      head += `traceparent: ${scanned.traceparent}\r\n`
      if (scanned.tracestate !== undefined) head += `tracestate: ${scanned.tracestate}\r\n`
    }
    // A policy read the body: exactly those bytes go upstream, framed by their length.
    if (ctx.body !== undefined) head += ctx.body.length === 0 && !this.#hasBody ? '' : `content-length: ${ctx.body.length}\r\n`
    else if (scanned.chunked) head += 'transfer-encoding: chunked\r\n'
    else if (scanned.contentLength !== undefined) head += `content-length: ${scanned.contentLength}\r\n`
    return head + '\r\n'
  }

  #dispatch(): void {
    const route = this.#route!
    const upstream = route.upstream
    if (upstream === null) {
      this.#fail(new GatehouseError('GH_ERR_UPSTREAM_UNAVAILABLE', `route "${route.name}" has no upstream`))
      return
    }
    const target = upstream.targets.pick(this.#target ?? undefined)
    if (target === undefined) {
      this.#fail(new GatehouseError('GH_ERR_UPSTREAM_UNAVAILABLE', `no healthy target in upstream "${upstream.name}"`))
      return
    }
    this.#attempts++
    this.#target = target
    const pool = upstream.pools.get(target)!
    this.#pool = pool
    target.inFlight++
    pool.acquire(this.#onConnection)
  }

  #onConnection = (error: GatehouseError | null, connection: UpstreamConnection | null): void => {
    if (error !== null || connection === null) {
      this.#target!.inFlight--
      this.#fail(error ?? new GatehouseError('GH_ERR_INTERNAL'))
      return
    }
    if (this.#res.destroyed) {
      this.#target!.inFlight--
      this.#pool!.giveBack(connection)
      return
    }
    this.#connection = connection
    this.#upstreamStart = performance.now()
    const clientHost = this.#scanned!.host
    const authority = this.#route!.preserveHost && clientHost !== undefined ? clientHost : this.#target!.authority
    const head = this.#requestLine + authority + this.#upstreamHead
    connection.start(this, head, this.#req.method === 'HEAD', this.#hasBody)
    const buffered = this.#ctx!.body
    if (buffered !== undefined && this.#hasBody) {
      this.#bodyRead = true
      connection.writeBody(buffered)
      connection.endBody()
    } else if (this.#hasBody && this.#attempts === 1) this.#streamRequestBody()
  }

  #streamRequestBody(): void {
    const req = this.#req
    this.#bodyRead = true
    if (this.#expectContinue) this.#res.writeContinue()
    req.on('data', this.#onRequestData)
    req.on('end', this.#onRequestEnd)
    req.on('error', this.#onRequestError)
  }

  #onRequestData = (chunk: Buffer): void => {
    this.#bodyBytes += chunk.length
    const connection = this.#connection
    if (connection === null) return
    if (this.#bodyBytes > this.#ctx!.maxBodySize) {
      this.#abortUpstream()
      this.#fail(new GatehouseError('GH_ERR_BODY_TOO_LARGE', `request body exceeds the limit of ${this.#ctx!.maxBodySize} bytes`), true)
      return
    }
    let written: boolean
    if (this.#scanned!.chunked) {
      // Every piece must be written whatever the first write returned: backpressure only means
      // "stop reading", never "drop the rest of this chunk's framing".
      connection.writeBody(`${chunk.length.toString(16)}\r\n`)
      connection.writeBody(chunk)
      written = connection.writeBody('\r\n')
    } else {
      written = connection.writeBody(chunk)
    }
    if (!written) {
      this.#req.pause()
      connection.socket.once('drain', this.#resumeRequest)
    }
  }

  #resumeRequest = (): void => {
    this.#req.resume()
  }

  #onRequestEnd = (): void => {
    const connection = this.#connection
    if (connection === null) return
    if (!this.#scanned!.chunked) {
      connection.endBody()
      return
    }
    let last = '0\r\n'
    const trailers = this.#req.rawTrailers
    for (let i = 0; i < trailers.length; i += 2) last += `${trailers[i]}: ${trailers[i + 1]}\r\n`
    connection.endBody(last + '\r\n')
  }

  #onRequestError = (): void => {
    // Malformed or interrupted request body: node answers the client; the upstream request must
    // not stay half-sent (SMUG-05).
    this.#abortUpstream()
  }

  // --- Exchange (called by the upstream connection) ---
  onHead(status: number, headers: string[]): void {
    this.#upstreamMs = performance.now() - this.#upstreamStart
    const targets = this.#route!.upstream!.targets
    if (status >= 500) targets.reportFailure(this.#target!, 'status-5xx')
    else targets.reportSuccess(this.#target!)
    if (this.#route!.chain.inspectResponse !== null && this.#req.method !== 'HEAD') {
      this.#held = { status, headers: filterResponseHeaders(headers), chunks: [], size: 0 }
      return
    }
    this.#writeHead(status, filterResponseHeaders(headers))
  }

  onBody(chunk: Buffer, last: boolean): boolean {
    const held = this.#held
    if (held !== null) {
      held.chunks.push(chunk)
      held.size += chunk.length
      // Past the limit the response is relayed uninspected rather than buffered without bound;
      // a complete one is released by onComplete.
      if (!last && held.size > RESPONSE_INSPECTION_LIMIT) return this.#releaseUninspected()
      return true
    }
    this.#bytesSent += chunk.length
    if (last) {
      // The common small response: head and body leave in one write.
      this.#ended = true
      this.#res.end(chunk)
      return true
    }
    const ok = this.#res.write(chunk)
    if (!ok) this.#res.once('drain', this.#resumeUpstream)
    return ok
  }

  /** Runs the inspectResponse handlers on the whole held response, then relays it (or their error). */
  #releaseHeld(): void {
    const held = this.#held!
    this.#held = null
    const body = held.chunks.length === 1 ? held.chunks[0] : Buffer.concat(held.chunks, held.size)
    const head = { status: held.status, headers: new HeaderList(held.headers) }
    try {
      for (const inspect of this.#route!.chain.inspectResponse!) inspect(this.#ctx!, head, body)
    } catch (error) {
      this.#abortUpstream()
      this.#fail(toGatehouseError(error))
      return
    }
    if (!this.#writeHead(head.status, head.headers.flat)) return
    this.#bytesSent += body.length
    this.#ended = true
    this.#res.end(body)
  }

  /** Relays a held response that grew past the inspection limit; false asks the upstream to pause. */
  #releaseUninspected(): boolean {
    const held = this.#held!
    this.#held = null
    this.#ctx?.state.set('gatehouse.responseUninspected', held.size)
    if (!this.#writeHead(held.status, held.headers)) return true
    let ok = true
    for (const chunk of held.chunks) {
      this.#bytesSent += chunk.length
      ok = this.#res.write(chunk)
    }
    if (!ok) this.#res.once('drain', this.#resumeUpstream)
    return ok
  }

  #resumeUpstream = (): void => {
    this.#connection?.resume()
  }

  onComplete(trailers: string[] | null): void {
    this.#target!.inFlight--
    this.#connection = null
    if (this.#held !== null) this.#releaseHeld()
    if (trailers !== null) {
      const pairs: Array<[string, string]> = []
      for (let i = 0; i < trailers.length; i += 2) pairs.push([trailers[i], trailers[i + 1]])
      this.#res.addTrailers(pairs)
    }
    if (!this.#ended) this.#res.end()
  }

  onFailure(kind: UpstreamFailure, detail: string, responseStarted: boolean): void {
    const target = this.#target!
    target.inFlight--
    this.#connection = null
    const upstream = this.#route!.upstream!
    upstream.targets.reportFailure(target, kind)
    const retryable = (kind === 'connect' || kind === 'reset') && !responseStarted && !this.#hasBody && !this.#res.headersSent
    if (retryable && this.#attempts <= upstream.config.retries && IDEMPOTENT.has(this.#req.method ?? '') && upstream.targets.targets.length > 1) {
      this.#dispatch()
      return
    }
    this.#fail(new GatehouseError(FAILURE_CODES[kind], `${detail} (target ${target.id})`))
  }

  #abortUpstream(): void {
    const connection = this.#connection
    if (connection === null) return
    this.#connection = null
    this.#target!.inFlight--
    connection.destroy()
  }

  #writeHead(status: number, flat: string[]): boolean {
    const ctx = this.#ctx
    const onResponse = this.#route?.chain.onResponse
    if (onResponse != null && ctx !== null) {
      const head = { status, headers: new HeaderList(flat) }
      try {
        for (const handler of onResponse) handler(ctx, head)
      } catch (error) {
        // The upstream response cannot be relayed half-filtered: drop it and answer 500.
        this.#abortUpstream()
        this.#fail(new GatehouseError('GH_ERR_POLICY_FAILED', 'a policy failed in phase onResponse', { cause: error }))
        return false
      }
      status = head.status
    }
    // Headers policies added for the client go on after onResponse handlers ran, so a handler that
    // scrubs upstream headers (cors) cannot remove them.
    const added = ctx?.addedResponseHeaders
    if (added != null) for (let i = 0; i < added.length; i++) flat.push(added[i])
    if (this.#runtime.forwarding.via) flat.push('via', VIA)
    flat.push('x-correlation-id', this.#correlationId)
    this.#res.writeHead(status, flat)
    return true
  }

  #fail(error: GatehouseError, close = false): void {
    this.#errorCode = error.code
    if (error.status === 500) this.#observers.internalError?.(error, this.#correlationId)
    // A request body nobody read would otherwise be read and discarded by node: close instead.
    const ctx = this.#ctx
    if (this.#hasBody && !this.#bodyRead && (ctx === null || ctx.body === undefined)) close = true
    if (ctx !== null && ctx.bodyIncomplete) close = true
    const res = this.#res
    if (res.headersSent || res.destroyed) {
      res.destroy()
      return
    }
    const added = this.#ctx?.addedResponseHeaders
    if (added != null) for (let i = 0; i < added.length; i += 2) res.setHeader(added[i], added[i + 1])
    if (this.#runtime.forwarding.via) res.setHeader('via', VIA)
    this.#bytesSent += sendProblem(res, error, this.#correlationId || undefined, close)
  }

  #onClose = (): void => {
    const res = this.#res
    const aborted = !res.writableFinished
    if (aborted) this.#abortUpstream()
    const durationMs = performance.now() - this.#start
    const status = aborted && !res.headersSent ? 499 : res.statusCode
    const route = this.#route
    this.#observers.metrics?.recordRequest(route === null ? -1 : route.index, status, durationMs / 1000, this.#upstreamMs === undefined ? undefined : this.#upstreamMs / 1000)
    this.#observers.accessLog?.record({
      time: Date.now(), correlationId: this.#correlationId, method: this.#req.method ?? '', path: this.#req.url ?? '', status, durationMs,
      upstreamMs: this.#upstreamMs, bytesSent: this.#bytesSent, clientIp: this.#clientIp, route: route?.name, target: this.#target?.id,
      errorCode: this.#errorCode, aborted,
    })
    const onLog = route?.chain.onLog
    if (onLog != null && this.#ctx !== null) {
      const summary = { status, durationMs, upstreamMs: this.#upstreamMs, bytesSent: this.#bytesSent, aborted, errorCode: this.#errorCode }
      for (const handler of onLog) {
        try {
          handler(this.#ctx, summary)
        } catch {
          // onLog handlers are observers; one failing must not affect the others or the process.
        }
      }
    }
    this.#runtime.requestEnded()
  }
}

// RFC 3986 authority: reg-name or IP literal, optional port of at most 5 digits.
const AUTHORITY = /^(?:\[[0-9A-Fa-f:.]+\]|[A-Za-z0-9._~!$&'()*+,;=%-]+)(?::\d{0,5})?$/

function hostName(authority: string | undefined): string {
  if (authority === undefined) return ''
  if (!AUTHORITY.test(authority)) throw new GatehouseError('GH_ERR_BAD_REQUEST', 'invalid Host header')
  const port = authority.lastIndexOf(':')
  if (port > authority.lastIndexOf(']') && Number(authority.slice(port + 1)) > 65535) throw new GatehouseError('GH_ERR_BAD_REQUEST', 'invalid port in Host header')
  if (authority.charCodeAt(0) === 91 /* [ */) {
    const end = authority.indexOf(']')
    return end === -1 ? authority.toLowerCase() : authority.slice(0, end + 1).toLowerCase()
  }
  const colon = authority.indexOf(':')
  return (colon === -1 ? authority : authority.slice(0, colon)).toLowerCase()
}

/** Removes the first `count` segments; the rest always starts with "/". */
function stripSegments(path: string, count: number): string {
  let index = 0
  for (let i = 0; i < count; i++) {
    index = path.indexOf('/', index + 1)
    if (index === -1) return '/'
  }
  return count === 0 ? path : path.slice(index)
}
