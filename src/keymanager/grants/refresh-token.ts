// RFC 6749 §6 with rotation (RFC 9700 §4.14.2): every use replaces the refresh token with a new
// one in the same family. Presenting a token that was already used means two parties hold it, so
// the whole family is revoked, including the tokens issued from it (OAUTH-07). A token of another
// client, or a broader scope than the grant had, is refused (OAUTH-09).
import type { RefreshTokenRecord } from '../../store/ports.ts'
import { OAuthError } from '../oauth-error.ts'
import { parseScope } from '../scopes.ts'
import type { KeyManagerServices } from '../services.ts'
import type { Grant } from './grant.ts'
import { issueTokens, revokeFamily } from './issue-tokens.ts'

// Our refresh tokens are 43 base64url characters; anything much longer is not one of them.
const MAX_REFRESH_TOKEN_LENGTH = 512

export const refreshTokenGrant: Grant = {
  grantType: 'refresh_token',
  parameters: ['refresh_token', 'scope'],
  async handler({ services, client, parameters }) {
    const presented = parameters.get('refresh_token')
    if (presented === undefined) throw new OAuthError('invalid_request', 'refresh_token is required')
    const digest = services.hasher.digest(presented.slice(0, MAX_REFRESH_TOKEN_LENGTH))
    const record = presented.length > MAX_REFRESH_TOKEN_LENGTH ? null : await services.store.getRefreshToken(digest)
    // Another client's token gets the same answer as an unknown one, and is left untouched.
    if (record === null || record.clientId !== client.clientId) throw new OAuthError('invalid_grant', 'refresh token is not valid')
    const family = await services.store.getFamily(record.familyId)
    if (family === null || family.revokedAt !== null) throw new OAuthError('invalid_grant', 'refresh token was revoked')
    if (record.usedAt !== null) return reused(services, record)
    if (record.expiresAt <= services.now()) throw new OAuthError('invalid_grant', 'refresh token has expired')
    const scopes = narrowedScopes(parameters.get('scope'), record.scopes, client.scopes)
    // Atomic in every store: of two concurrent exchanges of one token, exactly one wins.
    if (!await services.store.markRefreshTokenUsed(digest, Math.floor(services.now()))) return reused(services, record)
    return issueTokens(services, { client, subject: record.subject, scopes, refresh: record.familyId })
  },
}

async function reused(services: KeyManagerServices, record: RefreshTokenRecord): Promise<never> {
  await revokeFamily(services, record.familyId)
  services.log('warn', 'refresh token reused; its family is revoked', { clientId: record.clientId, familyId: record.familyId })
  throw new OAuthError('invalid_grant', 'refresh token was already used; every token of this grant is now revoked')
}

/** RFC 6749 §6: the scope may narrow, never widen; scopes the client has lost since are dropped. */
function narrowedScopes(requested: string | undefined, granted: readonly string[], clientScopes: readonly string[]): string[] {
  if (requested === undefined) return granted.filter((scope) => clientScopes.includes(scope))
  const scopes = parseScope(requested)
  if (scopes === null) throw new OAuthError('invalid_scope', 'scope is not a space-delimited list of scope tokens')
  for (const scope of scopes) {
    if (!granted.includes(scope) || !clientScopes.includes(scope)) throw new OAuthError('invalid_scope', `scope ${JSON.stringify(scope.slice(0, 64))} was not part of the original grant`)
  }
  return scopes
}
