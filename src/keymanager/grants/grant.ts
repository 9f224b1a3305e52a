// The shape every grant module exports (node-oidc-provider's `{ grantType, parameters, handler }`):
// the token endpoint authenticates the client, checks the client may use the grant, keeps only the
// parameters the grant declares, and hands over.
import type { ClientRecord } from '../../store/ports.ts'
import type { FormParameters } from '../http/form.ts'
import type { KeyManagerServices } from '../services.ts'

export interface GrantRequest {
  services: KeyManagerServices
  /** The authenticated client. */
  client: ClientRecord
  /** Only the parameters the grant declared. */
  parameters: FormParameters
}

/** RFC 6749 §5.1. */
export interface TokenResponse {
  access_token: string
  token_type: 'Bearer'
  expires_in: number
  scope?: string
  refresh_token?: string
}

export interface Grant {
  readonly grantType: string
  readonly parameters: readonly string[]
  readonly handler: (request: GrantRequest) => Promise<TokenResponse>
}
