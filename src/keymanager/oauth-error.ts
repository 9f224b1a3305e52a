// Errors of the OAuth endpoints in RFC 6749 §5.2's wire format (`error`, `error_description`),
// which token, introspection and revocation clients parse; the registry API uses problem
// documents instead. `error_description` says which check failed, never a secret value.
import { TracelessError } from '../core/errors/traceless-error.ts'

export type OAuthErrorCode =
  | 'invalid_request'
  | 'invalid_client'
  | 'invalid_grant'
  | 'unauthorized_client'
  | 'unsupported_grant_type'
  | 'invalid_scope'
  | 'unsupported_token_type'
  | 'server_error'

const STATUS: Readonly<Record<OAuthErrorCode, number>> = {
  invalid_request: 400,
  invalid_client: 401,
  invalid_grant: 400,
  unauthorized_client: 400,
  unsupported_grant_type: 400,
  invalid_scope: 400,
  unsupported_token_type: 400,
  server_error: 500,
}

/** RFC 6749 §5.2: a 401 must challenge; Basic is the scheme a client can answer with. */
export const BASIC_CHALLENGE = 'Basic realm="gatehouse", charset="UTF-8"'

export class OAuthError extends TracelessError {
  readonly error: OAuthErrorCode
  readonly status: number
  readonly headers: Readonly<Record<string, string>>

  constructor(error: OAuthErrorCode, description: string, options: { status?: number; headers?: Record<string, string> } = {}) {
    super(description)
    this.name = 'OAuthError'
    this.error = error
    this.status = options.status ?? STATUS[error]
    this.headers = error === 'invalid_client' ? { 'www-authenticate': BASIC_CHALLENGE, ...options.headers } : { ...options.headers }
  }
}

/** The one answer for every client-authentication failure, so it never tells which part was wrong. */
export function clientAuthenticationFailed(): OAuthError {
  return new OAuthError('invalid_client', 'client authentication failed')
}
