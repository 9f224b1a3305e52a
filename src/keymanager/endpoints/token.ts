// The token endpoint (RFC 6749 §3.2): POST with a form body, the client authenticated, then the
// grant named by `grant_type`, which sees only the parameters it declared. Every answer, success
// or error, carries Cache-Control: no-store and Pragma: no-cache.
import type { IncomingMessage, ServerResponse } from 'node:http'
import { GRANTS, type Grant } from '../grants/index.ts'
import { NO_STORE, sendJson } from '../http/respond.ts'
import { OAuthError } from '../oauth-error.ts'
import type { KeyManagerServices } from '../services.ts'
import { authenticate, clientOf, newExchange, readFormBody, requirePost, runSteps, type OAuthExchange, type Step } from './oauth-steps.ts'

interface TokenExchange extends OAuthExchange {
  grant: Grant | null
}

function findGrant(exchange: TokenExchange): void {
  const grantType = exchange.form.get('grant_type')
  if (grantType === undefined) throw new OAuthError('invalid_request', 'grant_type is required')
  const grant = GRANTS.get(grantType)
  if (grant === undefined) throw new OAuthError('unsupported_grant_type', `grant_type ${JSON.stringify(grantType.slice(0, 100))} is not supported`)
  exchange.grant = grant
}

function checkClientGrant(exchange: TokenExchange): void {
  const grantType = (exchange.grant as Grant).grantType
  if (!clientOf(exchange).client.grantTypes.includes(grantType)) {
    throw new OAuthError('unauthorized_client', `this client is not registered for the ${grantType} grant`)
  }
}

async function runGrant(exchange: TokenExchange): Promise<void> {
  const grant = exchange.grant as Grant
  // Parameters the grant did not declare are dropped, so no handler can act on one by mistake
  // (a `sub` sent with client_credentials, OAUTH-09).
  const parameters = new Map([...exchange.form].filter(([name]) => grant.parameters.includes(name)))
  const response = await grant.handler({ services: exchange.services, client: clientOf(exchange).client, parameters })
  sendJson(exchange.res, 200, response, NO_STORE)
}

const TOKEN_STEPS: readonly Step<TokenExchange>[] = [requirePost, readFormBody, findGrant, authenticate, checkClientGrant, runGrant]

export function handleToken(services: KeyManagerServices, req: IncomingMessage, res: ServerResponse, expectContinue: boolean): Promise<void> {
  const exchange: TokenExchange = { ...newExchange(services, req, res, expectContinue, services.urls.token), grant: null }
  return runSteps(TOKEN_STEPS, exchange)
}
