// Token introspection (RFC 7662). The caller authenticates as a registered client (401 otherwise).
// Anything not active, not ours, expired, or not the caller's to see is `{"active":false}` and
// nothing more (§2.2, OAUTH-14). What "active" means for an access token depends on persistence:
//   persist: true  — the token verifies, has not expired, and its stored record exists and is not
//                    revoked (revocation is exact);
//   persist: false — the token verifies and has not expired: it stays active until `exp` even
//                    after its refresh-token family is revoked (nothing records it).
// A caller may see an access token issued to itself, one whose `aud` names it, or any token if
// its clientType is `trusted` (a resource server); a refresh token only if it is its own.
import type { IncomingMessage, ServerResponse } from 'node:http'
import type { ClientRecord } from '../../store/ports.ts'
import { NO_STORE, sendJson } from '../http/respond.ts'
import { OAuthError } from '../oauth-error.ts'
import type { KeyManagerServices } from '../services.ts'
import { authenticate, clientOf, newExchange, readFormBody, requirePost, runSteps, type OAuthExchange, type Step } from './oauth-steps.ts'
import { findPresentedToken, type PresentedToken } from './presented-token.ts'

const INACTIVE = Object.freeze({ active: false })

async function introspect(exchange: OAuthExchange): Promise<void> {
  const token = exchange.form.get('token')
  if (token === undefined) throw new OAuthError('invalid_request', 'token is required')
  const caller = clientOf(exchange).client
  const found = await findPresentedToken(exchange.services, token)
  const answer = found === null ? INACTIVE : await describe(exchange.services, found, caller)
  sendJson(exchange.res, 200, answer, NO_STORE)
}

async function describe(services: KeyManagerServices, found: PresentedToken, caller: ClientRecord): Promise<Record<string, unknown>> {
  if (found.kind === 'access') {
    const { claims, record } = found
    if (services.config.tokens.persist && (record === null || record.revoked)) return INACTIVE
    if (!mayInspect(caller, claims.client_id, claims.aud)) return INACTIVE
    const info: Record<string, unknown> = { active: true }
    for (const name of ['scope', 'client_id', 'sub', 'aud', 'iss', 'exp', 'iat', 'jti']) if (claims[name] !== undefined) info[name] = claims[name]
    info.token_type = 'Bearer'
    return info
  }
  const { record } = found
  if (record.clientId !== caller.clientId || record.usedAt !== null || record.expiresAt <= services.now()) return INACTIVE
  const family = await services.store.getFamily(record.familyId)
  if (family === null || family.revokedAt !== null) return INACTIVE
  const info: Record<string, unknown> = { active: true, client_id: record.clientId, sub: record.subject, exp: record.expiresAt, iat: record.issuedAt, iss: services.urls.issuer }
  if (record.scopes.length > 0) info.scope = record.scopes.join(' ')
  return info
}

function mayInspect(caller: ClientRecord, clientId: unknown, aud: unknown): boolean {
  if (caller.clientType === 'trusted' || clientId === caller.clientId) return true
  return aud === caller.clientId || (Array.isArray(aud) && aud.includes(caller.clientId))
}

const INTROSPECTION_STEPS: readonly Step<OAuthExchange>[] = [requirePost, readFormBody, authenticate, introspect]

export function handleIntrospection(services: KeyManagerServices, req: IncomingMessage, res: ServerResponse, expectContinue: boolean): Promise<void> {
  return runSteps(INTROSPECTION_STEPS, newExchange(services, req, res, expectContinue, services.urls.introspection))
}
