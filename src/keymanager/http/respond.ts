// Writing the key manager's answers: JSON documents, RFC 6749 §5.2 errors, and problem documents
// for the registry API. Token-endpoint answers carry `Cache-Control: no-store` and
// `Pragma: no-cache` (RFC 6749 §5.1): they hold credentials.
import type { ServerResponse } from 'node:http'
import type { OAuthError } from '../oauth-error.ts'

export const NO_STORE: Readonly<Record<string, string>> = Object.freeze({ 'cache-control': 'no-store', pragma: 'no-cache' })

export function sendJson(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  if (res.headersSent) {
    res.destroy()
    return
  }
  const text = JSON.stringify(body)
  res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text), ...headers })
  res.end(res.req.method === 'HEAD' ? undefined : text)
}

export function sendEmpty(res: ServerResponse, status: number, headers: Record<string, string> = {}): void {
  if (res.headersSent) {
    res.destroy()
    return
  }
  res.writeHead(status, { 'content-length': 0, ...headers })
  res.end()
}

export function sendOAuthError(res: ServerResponse, error: OAuthError, extraHeaders: Record<string, string> = {}): void {
  sendJson(res, error.status, { error: error.error, error_description: error.message }, { ...NO_STORE, ...error.headers, ...extraHeaders })
}
