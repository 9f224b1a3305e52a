import { CATALOGUE, type ErrorCode } from './catalogue.ts'

/** An error with a catalogued code; `detail` says what and where, never a secret value. */
export class GatehouseError extends Error {
  readonly code: ErrorCode
  readonly status: number
  readonly detail: string
  /** Extra members for the problem document (e.g. `errors` for config failures). */
  readonly extra: Record<string, unknown> | undefined
  /** Extra response headers (e.g. `WWW-Authenticate`, `Retry-After`). */
  readonly headers: Record<string, string> | undefined

  constructor(code: ErrorCode, detail?: string, options?: { extra?: Record<string, unknown>; headers?: Record<string, string>; cause?: unknown }) {
    const entry = CATALOGUE[code]
    super(detail ?? entry.title, options?.cause === undefined ? undefined : { cause: options.cause })
    this.name = 'GatehouseError'
    this.code = code
    this.status = entry.status
    this.detail = detail ?? entry.title
    this.extra = options?.extra
    this.headers = options?.headers
  }
}
