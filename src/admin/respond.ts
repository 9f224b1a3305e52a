import type { IncomingMessage, ServerResponse } from 'node:http'
import type { ErrorCode } from '../core/errors/catalogue.ts'
import { problemFor } from '../core/errors/problem.ts'

// Sent on every admin response. No CORS header is ever sent: browsers then refuse cross-origin
// reads of the admin API outright (ADM-05), and nothing here is meant to be framed or sniffed.
const SECURITY_HEADERS: ReadonlyArray<[string, string]> = [
  ['x-content-type-options', 'nosniff'],
  ['cache-control', 'no-store'],
  ['content-security-policy', "default-src 'none'; frame-ancestors 'none'"],
  ['referrer-policy', 'no-referrer'],
]

export function setSecurityHeaders(res: ServerResponse): void {
  for (const [name, value] of SECURITY_HEADERS) res.setHeader(name, value)
}

/** True when the request carries a body this server has not read. */
export function hasBody(req: IncomingMessage): boolean {
  const length = req.headers['content-length']
  return req.headers['transfer-encoding'] !== undefined || (length !== undefined && length !== '0')
}

export function sendJson(res: ServerResponse, status: number, value: unknown): void {
  const body = JSON.stringify(value)
  res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', 'content-length': Buffer.byteLength(body) })
  res.end(body)
}

export function sendText(res: ServerResponse, status: number, contentType: string, body: string): void {
  res.writeHead(status, { 'content-type': contentType, 'content-length': Buffer.byteLength(body) })
  res.end(body)
}

export interface ProblemOptions {
  detail?: string
  extra?: Record<string, unknown>
  /** Status to send when it differs from the catalogue's (405 until it has its own code). */
  status?: number
  headers?: Record<string, string>
  /** Close the connection after the response (an unread body must not be parsed as a request). */
  close?: boolean
}

export function sendProblem(res: ServerResponse, code: ErrorCode, options: ProblemOptions = {}): void {
  const problem = problemFor(code, options.detail, options.extra)
  if (options.status !== undefined) problem.status = options.status
  const body = JSON.stringify(problem)
  const headers: Record<string, string | number> = { 'content-type': 'application/problem+json', 'content-length': Buffer.byteLength(body), ...options.headers }
  if (options.close === true) headers.connection = 'close'
  res.writeHead(problem.status, headers)
  res.end(body)
}
