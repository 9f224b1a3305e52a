// Issuing what a successful grant returns: an RFC 9068 access token (its record stored when
// persistence is on) and, for grants that have one, a refresh token. Refresh tokens are 256-bit
// random values stored only as their keyed digest; each belongs to a family, the chain of tokens
// one grant produced, so that reuse or revocation can end the whole chain at once.
import { timeOrderedId } from '../secrets/random-id.ts'
import type { ClientRecord } from '../../store/ports.ts'
import { generateSecret } from '../secrets/generate-secret.ts'
import type { KeyManagerServices } from '../services.ts'
import type { TokenResponse } from './grant.ts'

export interface TokenGrant {
  client: ClientRecord
  subject: string
  scopes: readonly string[]
  /** `new`: start a refresh-token family; a family id: continue it (rotation); null: no refresh token. */
  refresh: 'new' | string | null
}

export async function issueTokens(services: KeyManagerServices, grant: TokenGrant): Promise<TokenResponse> {
  const { config, store } = services
  const { client, subject, scopes } = grant
  // The writes of one issuance are started together and awaited together: a store that commits in
  // groups (sqlite) then puts them in one transaction, instead of one commit after another.
  const writes: Array<Promise<unknown>> = []
  let familyId: string | null = null
  if (grant.refresh === 'new') {
    familyId = timeOrderedId()
    writes.push(store.createFamily({ familyId, clientId: client.clientId, subject, revokedAt: null }))
  } else if (grant.refresh !== null) {
    familyId = grant.refresh
  }
  const globalTtl = config.tokens.accessTokenTtlSeconds
  // A client's own lifetime may only shorten the global one: the key ring keeps retired keys
  // published for the global lifetime, so longer tokens could outlive their key.
  const ttlSeconds = Math.min(client.accessTokenTtl ?? globalTtl, globalTtl)
  const access = services.accessTokens.issue({ clientId: client.clientId, subject, scopes, audience: config.tokens.audience, ttlSeconds, familyId })
  if (config.tokens.persist) writes.push(store.saveAccessToken(access.record))
  const response: TokenResponse = { access_token: access.token, token_type: 'Bearer', expires_in: ttlSeconds }
  if (scopes.length > 0) response.scope = scopes.join(' ')
  if (familyId !== null) {
    const refreshToken = generateSecret(32)
    const issuedAt = Math.floor(services.now())
    writes.push(store.saveRefreshToken({
      digest: services.hasher.digest(refreshToken),
      familyId,
      clientId: client.clientId,
      subject,
      scopes: [...scopes],
      issuedAt,
      expiresAt: issuedAt + config.tokens.refreshTokenTtlSeconds,
      usedAt: null,
    }))
    response.refresh_token = refreshToken
  }
  // Every write settles before the response goes out: a failed one fails the grant, and none is
  // left running behind an error.
  const results = await Promise.allSettled(writes)
  for (const result of results) if (result.status === 'rejected') throw result.reason
  return response
}

/** Ends a refresh-token family, and with persistence the access tokens it produced. */
export async function revokeFamily(services: KeyManagerServices, familyId: string): Promise<void> {
  await services.store.revokeFamily(familyId, Math.floor(services.now()))
  if (services.config.tokens.persist) await services.store.revokeAccessTokensOfFamily(familyId)
}
