// Why a JWT was refused. `reason` is stable (tests, metrics labels and the gateway's
// `error_description` rely on it); `message` adds what was seen, never key material.
import { TracelessError } from '../core/errors/traceless-error.ts'

export type JwtRejection =
  | 'token_too_large'
  | 'malformed'
  | 'alg_not_allowed'
  | 'unknown_kid'
  | 'crit_unsupported'
  | `unsupported_header:${string}`
  | 'wrong_typ'
  | 'bad_signature'
  | 'expired'
  | 'not_yet_valid'
  | 'issued_in_future'
  | 'wrong_issuer'
  | 'wrong_audience'
  | `missing_claim:${string}`
  | `invalid_claim:${string}`

export class JwtError extends TracelessError {
  readonly reason: JwtRejection

  constructor(reason: JwtRejection, message: string) {
    super(message)
    this.name = 'JwtError'
    this.reason = reason
  }
}
