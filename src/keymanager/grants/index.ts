// The grant types the token endpoint serves, by `grant_type` value.
import { clientCredentialsGrant } from './client-credentials.ts'
import type { Grant } from './grant.ts'
import { jwtBearerGrant } from './jwt-bearer.ts'
import { passwordGrant } from './password.ts'
import { refreshTokenGrant } from './refresh-token.ts'

export type { Grant, GrantRequest, TokenResponse } from './grant.ts'
export { JWT_BEARER_GRANT_TYPE } from './jwt-bearer.ts'

export const GRANTS: ReadonlyMap<string, Grant> = new Map(
  [clientCredentialsGrant, passwordGrant, refreshTokenGrant, jwtBearerGrant].map((grant) => [grant.grantType, grant]),
)
