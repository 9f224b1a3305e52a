import type { GatehouseError } from '../core/errors/gatehouse-error.ts'
import type { AccessLogEntry } from '../observability/access-log-line.ts'

/** Process-wide services the request path reports to; each may be absent (switched off). */
export interface RequestObservers {
  /** A request failed with a 500: the cause goes to the process log, never to the client. */
  internalError?: (error: GatehouseError, correlationId: string) => void
  metrics: {
    recordRequest(routeIndex: number, status: number, totalSeconds: number, upstreamSeconds: number | undefined): void
  } | null
  accessLog: { record(entry: AccessLogEntry): void } | null
}
