import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http'
import type { AddressInfo } from 'node:net'
import { isLoopbackHost } from '../config/check-values.ts'
import { CATALOGUE, type ErrorCode } from '../core/errors/catalogue.ts'
import { GatehouseError } from '../core/errors/gatehouse-error.ts'
import { createBearerCheck } from './bearer-auth.ts'
import { hasBody, sendJson, sendProblem, sendText, setSecurityHeaders } from './respond.ts'

/** A refused reload: a catalogued code, what went wrong, and the problems found (CFG-02). */
export interface ReloadFailure {
  code: ErrorCode
  detail?: string
  /** Extra problem members; a ConfigError carries its issues here as `errors`. */
  extra?: Record<string, unknown>
  /** Issues, when not already in `extra.errors`. */
  issues?: readonly unknown[]
}

export type AdminReloadResult = { ok: true; version: number } | { ok: false; error: ReloadFailure }

export interface AdminServerOptions {
  host: string
  port: number
  /** Bearer token; required unless `host` is a loopback address. */
  token?: string
  /** Prometheus exposition of the gateway's metrics. */
  metrics: () => Promise<{ contentType: string; body: string }>
  readiness: () => { ready: boolean; checks: Record<string, unknown> }
  reload: () => Promise<AdminReloadResult>
  /** Config as shown by GET /config, already redacted. Without it, /config does not exist. */
  configSummary?: () => unknown
  /** Where failures of the callbacks above are reported. */
  log?: { error(details: Record<string, unknown>, message: string): void }
  /** Time allowed for a request's head, and for the whole request (ms). */
  timeouts?: { headersMs?: number; requestMs?: number }
}

export interface AdminServer {
  address(): { host: string; port: number }
  close(): Promise<void>
}

type Handler = (req: IncomingMessage, res: ServerResponse) => Promise<void> | void

interface Endpoint {
  /** Liveness and readiness probes answer without a credential (orchestrators call them). */
  public: boolean
  methods: Partial<Record<'GET' | 'POST', Handler>>
}

// No admin request has a body yet; anything larger than this is refused unread.
const MAX_BODY_BYTES = 1024
const HEADERS_TIMEOUT_MS = 10_000
const REQUEST_TIMEOUT_MS = 30_000
const KEEP_ALIVE_TIMEOUT_MS = 5_000
const MAX_HEADER_BYTES = 16 * 1024
const MAX_CONNECTIONS = 256
const CLOSE_GRACE_MS = 2_000
const METHOD_NOT_ALLOWED_CODE: ErrorCode = 'GH_ERR_ADMIN_METHOD_NOT_ALLOWED'

/**
 * The admin listener: health and readiness probes, Prometheus metrics, config reload and the
 * redacted config. Everything except the probes requires the bearer token when one is set.
 */
export async function createAdminServer(options: AdminServerOptions): Promise<AdminServer> {
  if (options.token === '') throw new GatehouseError('GH_ERR_CONFIG_INVALID', 'admin.token must not be empty')
  // Config validation refuses this too (ADM-01); the listener checks again rather than trust its caller.
  if (options.token === undefined && !isLoopbackHost(options.host)) {
    throw new GatehouseError('GH_ERR_CONFIG_ADMIN_UNPROTECTED', `admin.host ${options.host} is not a loopback address and admin.token is not set`)
  }
  const endpoints = buildEndpoints(options)
  const authorized = options.token === undefined ? () => true : createBearerCheck(options.token)

  const handle = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    setSecurityHeaders(res)
    const url = req.url ?? ''
    const query = url.indexOf('?')
    const path = query === -1 ? url : url.slice(0, query)
    const endpoint = endpoints.get(path)
    const close = hasBody(req)
    // Authenticate before routing, so an unauthenticated caller cannot tell which paths exist.
    if (endpoint?.public !== true && !authorized(req)) {
      sendProblem(res, 'GH_ERR_ADMIN_UNAUTHORIZED', { detail: 'Send the admin token as Authorization: Bearer <token>', headers: { 'www-authenticate': 'Bearer realm="gatehouse-admin"' }, close })
      return
    }
    if (endpoint === undefined) {
      sendProblem(res, 'GH_ERR_ADMIN_NOT_FOUND', { detail: `No admin resource at ${JSON.stringify(path)}`, close })
      return
    }
    const method = req.method === 'HEAD' ? 'GET' : req.method
    const handler = method === 'GET' || method === 'POST' ? endpoint.methods[method] : undefined
    if (handler === undefined) {
      const allow = Object.keys(endpoint.methods).flatMap((m) => (m === 'GET' ? ['GET', 'HEAD'] : [m])).join(', ')
      sendProblem(res, METHOD_NOT_ALLOWED_CODE, { status: 405, detail: `${req.method} is not allowed on ${path}; allowed: ${allow}`, headers: { allow }, close })
      return
    }
    if (!(await readBoundedBody(req, MAX_BODY_BYTES))) {
      sendProblem(res, 'GH_ERR_BODY_TOO_LARGE', { detail: `Admin requests carry at most ${MAX_BODY_BYTES} bytes of body`, close: true })
      return
    }
    await handler(req, res)
  }

  const headersTimeout = options.timeouts?.headersMs ?? HEADERS_TIMEOUT_MS
  const server = createServer({
    headersTimeout,
    requestTimeout: Math.max(options.timeouts?.requestMs ?? REQUEST_TIMEOUT_MS, headersTimeout),
    // Node enforces both timeouts from a periodic sweep (30 s by default); sweep often enough
    // that a slow-headers client is cut close to the deadline.
    connectionsCheckingInterval: Math.min(1000, headersTimeout / 2),
    keepAliveTimeout: KEEP_ALIVE_TIMEOUT_MS,
    maxHeaderSize: MAX_HEADER_BYTES,
  }, (req, res) => {
    handle(req, res).catch((error: unknown) => {
      options.log?.error({ err: error, method: req.method, path: req.url }, 'admin request failed')
      if (res.headersSent) res.destroy()
      else sendProblem(res, 'GH_ERR_INTERNAL', { detail: 'The admin request failed; see the process log' })
    })
  })
  server.maxConnections = MAX_CONNECTIONS
  await listen(server, options.host, options.port)

  return {
    address() {
      const address = server.address() as AddressInfo
      return { host: address.address, port: address.port }
    },
    close: () => closeServer(server),
  }
}

function buildEndpoints(options: AdminServerOptions): Map<string, Endpoint> {
  const endpoints = new Map<string, Endpoint>()
  endpoints.set('/health', { public: true, methods: { GET: (_req, res) => sendJson(res, 200, { status: 'ok' }) } })
  endpoints.set('/ready', {
    public: true,
    methods: {
      GET: (_req, res) => {
        const { ready, checks } = options.readiness()
        sendJson(res, ready ? 200 : 503, { status: ready ? 'ready' : 'not ready', checks })
      },
    },
  })
  endpoints.set('/metrics', {
    public: false,
    methods: {
      GET: async (_req, res) => {
        let exposition: { contentType: string; body: string }
        try {
          exposition = await options.metrics()
        } catch (error) {
          options.log?.error({ err: error }, 'metrics could not be collected')
          sendProblem(res, 'GH_ERR_INTERNAL', { detail: 'Metrics could not be collected; see the process log' })
          return
        }
        sendText(res, 200, exposition.contentType, exposition.body)
      },
    },
  })
  endpoints.set('/reload', { public: false, methods: { POST: serialize(async (_req, res) => sendReloadResult(res, await options.reload())) } })
  const { configSummary } = options
  if (configSummary !== undefined) {
    endpoints.set('/config', { public: false, methods: { GET: (_req, res) => sendJson(res, 200, configSummary()) } })
  }
  return endpoints
}

function sendReloadResult(res: ServerResponse, result: AdminReloadResult): void {
  if (result.ok) {
    sendJson(res, 200, { status: 'reloaded', version: result.version })
    return
  }
  const { code, detail, extra, issues } = result.error
  const members = issues !== undefined && extra?.errors === undefined ? { ...extra, errors: issues } : extra
  // A refused reload is the caller's config problem (400), whatever code the loader chose.
  sendProblem(res, code in CATALOGUE ? code : 'GH_ERR_CONFIG_INVALID', { detail, extra: members, status: 400 })
}

/** Runs reloads one after another: each caller gets the outcome of a reload that began after it asked. */
function serialize(handler: Handler): Handler {
  let tail: Promise<void> = Promise.resolve()
  return (req, res) => {
    const run = tail.then(() => handler(req, res))
    tail = run.catch(() => undefined)
    return run
  }
}

/**
 * Reads and discards the request body; false when it is larger than `limit` bytes. Stops reading
 * without destroying the request, so the 413 can still be sent before the connection closes.
 */
function readBoundedBody(req: IncomingMessage, limit: number): Promise<boolean> {
  if (Number(req.headers['content-length'] ?? 0) > limit) return Promise.resolve(false)
  if (req.complete) return Promise.resolve(true)
  return new Promise((resolve) => {
    let received = 0
    const finish = (withinLimit: boolean): void => {
      req.off('data', onData)
      req.off('end', onEnd)
      req.off('close', onClose)
      if (!withinLimit) req.pause()
      resolve(withinLimit)
    }
    const onData = (chunk: Buffer): void => {
      received += chunk.length
      if (received > limit) finish(false)
    }
    const onEnd = (): void => finish(true)
    const onClose = (): void => finish(false)
    req.on('data', onData)
    req.on('end', onEnd)
    req.on('close', onClose)
  })
}

function listen(server: Server, host: string, port: number): Promise<void> {
  return new Promise((resolve, reject) => {
    const onError = (error: Error): void => reject(error)
    server.once('error', onError)
    server.listen({ host, port }, () => {
      server.off('error', onError)
      resolve()
    })
  })
}

/** Stops accepting, lets requests in progress finish, and cuts whatever is left after a grace period. */
function closeServer(server: Server): Promise<void> {
  if (!server.listening) return Promise.resolve()
  return new Promise((resolve) => {
    const timer = setTimeout(() => server.closeAllConnections(), CLOSE_GRACE_MS)
    timer.unref()
    server.close(() => {
      clearTimeout(timer)
      resolve()
    })
    server.closeIdleConnections()
  })
}
