// RFC 6749 §4.4: a confidential client asks for a token for itself. The subject is always the
// client id (RFC 9068 §2.2); a `sub` or `username` in the request is not a declared parameter, so
// the token endpoint drops it before this handler runs (OAUTH-09). No refresh token (§4.4.3).
import { OAuthError } from '../oauth-error.ts'
import { grantScopes } from '../scopes.ts'
import type { Grant } from './grant.ts'
import { issueTokens } from './issue-tokens.ts'

export const clientCredentialsGrant: Grant = {
  grantType: 'client_credentials',
  parameters: ['scope'],
  async handler({ services, client, parameters }) {
    if (client.authMethod === 'none') throw new OAuthError('unauthorized_client', 'a public client cannot use client_credentials')
    const scopes = grantScopes(parameters.get('scope'), client.scopes, client.defaultScopes)
    return issueTokens(services, { client, subject: client.clientId, scopes, refresh: null })
  },
}
