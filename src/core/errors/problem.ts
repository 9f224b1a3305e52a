import type { ServerResponse } from 'node:http'
import { bodyBytesSent } from '../body-bytes.ts'
import { CATALOGUE, type ErrorCode } from './catalogue.ts'
import { GatehouseError } from './gatehouse-error.ts'

const TYPE_BASE = 'https://gatehouse.dev/errors/'

export interface ProblemDocument {
  type: string
  title: string
  status: number
  detail: string
  code: ErrorCode
  instance?: string
  [member: string]: unknown
}

/** RFC 9457 problem document for a catalogued code. */
export function problemFor(code: ErrorCode, detail?: string, extra?: Record<string, unknown>): ProblemDocument {
  const entry = CATALOGUE[code]
  return { type: TYPE_BASE + code, title: entry.title, status: entry.status, detail: detail ?? entry.title, code, ...extra }
}

export function toGatehouseError(error: unknown): GatehouseError {
  if (error instanceof GatehouseError) return error
  return new GatehouseError('GH_ERR_INTERNAL', 'Unexpected error while handling the request', { cause: error })
}

/**
 * Writes a problem document unless the response has already started (then the only honest thing
 * left is to cut the connection, so the client sees a truncated response rather than a wrong one).
 * Returns the body bytes sent (see bodyBytesSent), for the access log.
 */
export function sendProblem(res: ServerResponse, error: GatehouseError, correlationId?: string, close = false): number {
  if (res.headersSent) {
    res.destroy()
    return 0
  }
  const body = JSON.stringify(problemFor(error.code, error.detail, correlationId === undefined ? error.extra : { ...error.extra, instance: correlationId }))
  const length = Buffer.byteLength(body)
  const headers: Record<string, string | number> = {
    'content-type': 'application/problem+json',
    'content-length': length,
    'cache-control': 'no-store',
  }
  if (correlationId !== undefined) headers['x-correlation-id'] = correlationId
  if (close) headers.connection = 'close'
  if (error.headers !== undefined) Object.assign(headers, error.headers)
  res.writeHead(error.status, headers)
  res.end(body)
  return bodyBytesSent(res.req?.method, error.status, length)
}
