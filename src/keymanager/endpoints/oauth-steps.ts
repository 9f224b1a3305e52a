// The OAuth endpoints (token, introspection, revocation) run as arrays of named steps, as in
// node-oidc-provider: each step reads or fills the exchange, and the first one to throw an
// OAuthError ends the request with that error in RFC 6749 §5.2 form.
import type { IncomingMessage, ServerResponse } from 'node:http'
import { GatehouseError } from '../../core/errors/gatehouse-error.ts'
import { authenticateClient, type AuthenticatedClient } from '../clients/authenticate-client.ts'
import { readForm, type FormParameters } from '../http/form.ts'
import { bodyLeftUnread } from '../http/read-body.ts'
import { sendOAuthError } from '../http/respond.ts'
import { OAuthError } from '../oauth-error.ts'
import type { KeyManagerServices } from '../services.ts'

export interface OAuthExchange {
  readonly services: KeyManagerServices
  readonly req: IncomingMessage
  readonly res: ServerResponse
  readonly expectContinue: boolean
  /** Absolute URL of the endpoint called (an accepted `aud` of client assertions). */
  readonly endpoint: string
  form: FormParameters
  /** Set by `authenticate`. */
  client: AuthenticatedClient | null
}

export type Step<E extends OAuthExchange> = (exchange: E) => void | Promise<void>

export async function runSteps<E extends OAuthExchange>(steps: readonly Step<E>[], exchange: E): Promise<void> {
  try {
    // Only a step that returned a promise is awaited: an await on a synchronous step's undefined
    // would still cost a turn of the microtask queue.
    for (const step of steps) {
      const pending = step(exchange)
      if (pending !== undefined) await pending
    }
  } catch (error) {
    // A body left unread (refused before reading it) is not worth receiving: close instead.
    const close: Record<string, string> = bodyLeftUnread(exchange.req) ? { connection: 'close' } : {}
    if (error instanceof OAuthError) {
      sendOAuthError(exchange.res, error, close)
      return
    }
    exchange.services.log('error', 'OAuth endpoint failed', { endpoint: exchange.endpoint, error: String((error as Error)?.stack ?? error) })
    // A store that is down is worth a 503 (clients may retry); anything else is our fault.
    const status = error instanceof GatehouseError && error.status >= 500 ? error.status : 500
    sendOAuthError(exchange.res, new OAuthError('server_error', 'the authorization server could not handle the request; try again later', { status }), close)
  }
}

export function newExchange(services: KeyManagerServices, req: IncomingMessage, res: ServerResponse, expectContinue: boolean, endpoint: string): OAuthExchange {
  return { services, req, res, expectContinue, endpoint, form: new Map(), client: null }
}

export function requirePost(exchange: OAuthExchange): void {
  if (exchange.req.method !== 'POST') {
    throw new OAuthError('invalid_request', 'this endpoint accepts POST only', { status: 405, headers: { allow: 'POST' } })
  }
}

export async function readFormBody(exchange: OAuthExchange): Promise<void> {
  exchange.form = await readForm(exchange.req, exchange.res, exchange.expectContinue)
}

export async function authenticate(exchange: OAuthExchange): Promise<void> {
  exchange.client = await authenticateClient(exchange.services, exchange.req, exchange.form, exchange.endpoint)
}

/** The authenticated client; only for steps after `authenticate`. */
export function clientOf(exchange: OAuthExchange): AuthenticatedClient {
  if (exchange.client === null) throw new GatehouseError('GH_ERR_INTERNAL', 'step order: the client is not authenticated yet')
  return exchange.client
}
