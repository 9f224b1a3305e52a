// Token revocation (RFC 7009). The caller authenticates as a registered client.
// - Unknown, malformed or expired tokens: 200, nothing happens (§2.2).
// - Another client's token: 200, nothing happens; answering differently would tell the caller
//   that the token exists (OAUTH-14).
// - A refresh token: its whole family is revoked (every refresh token of the grant) and, with
//   persistence, every access token issued from the family.
// - An access token with persistence: its record is marked revoked; introspection says inactive.
// - An access token without persistence: 400 unsupported_token_type (§2.2.1). Nothing records it,
//   so it stays valid until `exp`; revoking its refresh token ends the grant instead.
import type { IncomingMessage, ServerResponse } from 'node:http'
import { revokeFamily } from '../grants/issue-tokens.ts'
import { NO_STORE, sendEmpty } from '../http/respond.ts'
import { OAuthError } from '../oauth-error.ts'
import type { KeyManagerServices } from '../services.ts'
import { authenticate, clientOf, newExchange, readFormBody, requirePost, runSteps, type OAuthExchange, type Step } from './oauth-steps.ts'
import { findPresentedToken } from './presented-token.ts'

async function revoke(exchange: OAuthExchange): Promise<void> {
  const { services } = exchange
  const token = exchange.form.get('token')
  if (token === undefined) throw new OAuthError('invalid_request', 'token is required')
  const caller = clientOf(exchange).client.clientId
  const found = await findPresentedToken(services, token)
  if (found?.kind === 'refresh' && found.record.clientId === caller) {
    await revokeFamily(services, found.record.familyId)
  } else if (found?.kind === 'access' && found.claims.client_id === caller) {
    if (!services.config.tokens.persist) {
      throw new OAuthError('unsupported_token_type', 'access tokens are not stored (tokens.persist is off) and stay valid until they expire; revoke the refresh token to end the grant')
    }
    await services.store.revokeAccessToken(found.claims.jti as string)
  }
  sendEmpty(exchange.res, 200, NO_STORE)
}

const REVOCATION_STEPS: readonly Step<OAuthExchange>[] = [requirePost, readFormBody, authenticate, revoke]

export function handleRevocation(services: KeyManagerServices, req: IncomingMessage, res: ServerResponse, expectContinue: boolean): Promise<void> {
  return runSteps(REVOCATION_STEPS, newExchange(services, req, res, expectContinue, services.urls.revocation))
}
