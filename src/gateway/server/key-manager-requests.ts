// Requests the key manager answers (token, introspection, revocation, JWKS, metadata, registry)
// never enter the proxy path, but operators watch them as closely as any route: a burst of 401s
// at the token endpoint is someone guessing client secrets. Each one gets a correlation id like a
// proxied request, ends in the access log, and is counted in the request metrics under the route
// label `(key manager)`.
import { randomUUID } from 'node:crypto'
import type { IncomingMessage, ServerResponse } from 'node:http'
import { performance } from 'node:perf_hooks'
import { bodyBytesSent } from '../../core/body-bytes.ts'
import { KEY_MANAGER_ROUTE, KEY_MANAGER_ROUTE_LABEL } from '../../observability/metrics.ts'
import { validCorrelationId } from '../proxy/forwarding.ts'
import type { Runtime } from '../runtime.ts'
import type { RequestObservers } from '../services.ts'

/** Call before the key manager handles `req`; reports the request once its response has ended or was abandoned. */
export function observeKeyManagerRequest(req: IncomingMessage, res: ServerResponse, runtime: Runtime, observers: RequestObservers): void {
  const start = performance.now()
  const sent = req.headers['x-correlation-id']
  const correlationId = typeof sent === 'string' && validCorrelationId(sent) ? sent : randomUUID()
  res.setHeader('x-correlation-id', correlationId)
  const { metrics, accessLog } = observers
  if (metrics === null && accessLog === null) return
  // node joins repeated X-Forwarded-For fields into one string, as the proxy path's scan does.
  const forwardedFor = req.headers['x-forwarded-for']
  const clientIp = runtime.forwarding.clientAddress(req.socket.remoteAddress ?? '', typeof forwardedFor === 'string' ? forwardedFor : undefined)
  res.once('close', () => {
    const aborted = !res.writableFinished
    const status = aborted && !res.headersSent ? 499 : res.statusCode
    const durationMs = performance.now() - start
    metrics?.recordRequest(KEY_MANAGER_ROUTE, status, durationMs / 1000, undefined)
    accessLog?.record({
      time: Date.now(), correlationId, method: req.method ?? '', path: req.url ?? '', status, durationMs, upstreamMs: undefined,
      // The key manager's answers are whole documents with a Content-Length.
      bytesSent: aborted ? 0 : bodyBytesSent(req.method, status, Number(res.getHeader('content-length') ?? 0) || 0),
      clientIp, route: KEY_MANAGER_ROUTE_LABEL, target: undefined, errorCode: undefined, aborted,
    })
  })
}
