import type { GatehouseError } from '../core/errors/gatehouse-error.ts'

/** Process-wide services the request path reports to; each may be absent (switched off). */
export interface RequestObservers {
  /** A request failed with a 500: the cause goes to the process log, never to the client. */
  internalError?: (error: GatehouseError, correlationId: string) => void
  metrics: {
    recordRequest(routeIndex: number, status: number, totalSeconds: number, upstreamSeconds: number | undefined): void
  } | null
  accessLog: {
    record(entry: {
      time: number
      correlationId: string
      method: string
      path: string
      status: number
      durationMs: number
      upstreamMs: number | undefined
      bytesSent: number
      clientIp: string
      route: string | undefined
      target: string | undefined
      errorCode: string | undefined
      aborted: boolean
    }): void
  } | null
}
