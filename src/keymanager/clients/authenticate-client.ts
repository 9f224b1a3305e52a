// Client authentication at the token, introspection and revocation endpoints: client_secret_basic
// (RFC 6749 §2.3.1), client_secret_post, private_key_jwt (RFC 7523 §2.2), and `none` for public
// clients that only name themselves. A request uses exactly one method (RFC 6749 §2.3), and a
// client only the method it registered. Unknown client, wrong secret and wrong method all give the
// same invalid_client, after the same work (OAUTH-01). During a secret rotation's overlap the
// previous secret is accepted too (KEY-07).
import type { IncomingMessage } from 'node:http'
import type { ClientRecord } from '../../store/ports.ts'
import { clientAuthenticationFailed, OAuthError } from '../oauth-error.ts'
import type { FormParameters } from '../http/form.ts'
import type { KeyManagerServices } from '../services.ts'
import { describeRejection, peekPayload, verifyAssertion } from '../trust/verify-assertion.ts'
import { parseBasicCredentials } from './basic-credentials.ts'

export interface AuthenticatedClient {
  client: ClientRecord
  method: ClientRecord['authMethod']
}

export const CLIENT_ASSERTION_TYPE = 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer'
const MAX_CLIENT_ID_LENGTH = 256
// Compared with when the client does not exist, so an unknown id costs the same HMAC as a known one.
const NO_DIGEST = '0'.repeat(64)

/** `endpoint`: the URL called, which a client assertion may name as its `aud`. */
export async function authenticateClient(services: KeyManagerServices, req: IncomingMessage, form: FormParameters, endpoint: string): Promise<AuthenticatedClient> {
  const authorization = req.headers.authorization
  const basic = authorization !== undefined && /^basic /i.test(authorization)
  if (authorization !== undefined && !basic) throw new OAuthError('invalid_client', 'the Authorization header must use the Basic scheme for client authentication')
  const post = form.has('client_secret')
  const assertion = form.has('client_assertion') || form.has('client_assertion_type')
  if (Number(basic) + Number(post) + Number(assertion) > 1) {
    throw new OAuthError('invalid_request', 'more than one client authentication method in one request')
  }
  const bodyClientId = form.get('client_id')
  if (basic) {
    const credentials = parseBasicCredentials(authorization)
    if (bodyClientId !== undefined && bodyClientId !== credentials.clientId) throw new OAuthError('invalid_request', 'client_id differs from the client in the Authorization header')
    return bySecret(services, credentials.clientId, credentials.secret, 'client_secret_basic')
  }
  if (post) {
    if (bodyClientId === undefined) throw new OAuthError('invalid_request', 'client_secret needs client_id')
    return bySecret(services, bodyClientId, form.get('client_secret') as string, 'client_secret_post')
  }
  if (assertion) return byAssertion(services, form, endpoint)
  if (bodyClientId === undefined) throw new OAuthError('invalid_client', 'client authentication is required')
  const client = await findClient(services, bodyClientId)
  if (client === null || client.authMethod !== 'none') throw clientAuthenticationFailed()
  return { client, method: 'none' }
}

async function bySecret(services: KeyManagerServices, clientId: string, secret: string, method: 'client_secret_basic' | 'client_secret_post'): Promise<AuthenticatedClient> {
  const client = await findClient(services, clientId)
  // Always the one HMAC compared with two digests, so an unknown client, a client without a
  // previous secret and one in its rotation overlap cost the same (KEY-07).
  const matches = services.hasher.matchesAny(secret, [client?.secretDigest ?? NO_DIGEST, acceptedPreviousDigest(client, services.now())])
  if (!matches || client === null || client.authMethod !== method) throw clientAuthenticationFailed()
  return { client, method }
}

/** The secret before the last rotation while its overlap lasts; afterwards it is as wrong as any other. */
function acceptedPreviousDigest(client: ClientRecord | null, now: number): string {
  const expiresAt = client?.previousSecretExpiresAt ?? null
  return expiresAt !== null && now < expiresAt ? client?.previousSecretDigest ?? NO_DIGEST : NO_DIGEST
}

async function byAssertion(services: KeyManagerServices, form: FormParameters, endpoint: string): Promise<AuthenticatedClient> {
  if (form.get('client_assertion_type') !== CLIENT_ASSERTION_TYPE) throw new OAuthError('invalid_request', `client_assertion_type must be ${CLIENT_ASSERTION_TYPE}`)
  const assertion = form.get('client_assertion')
  if (assertion === undefined) throw new OAuthError('invalid_request', 'client_assertion is missing')
  // The client is named by the assertion itself (iss = sub = client_id); the signature is checked
  // below with that client's registered keys.
  const claimed = peekPayload(assertion)?.iss
  const clientId = form.get('client_id') ?? (typeof claimed === 'string' ? claimed : undefined)
  if (clientId === undefined) throw new OAuthError('invalid_client', 'client assertion names no client (iss)')
  const client = await findClient(services, clientId)
  const keys = client === null || client.authMethod !== 'private_key_jwt' ? null : services.clientKeys.lookup(client)
  if (client === null || keys === null) throw clientAuthenticationFailed()
  const { issuer, token } = services.urls
  try {
    await verifyAssertion(services, assertion, {
      keys: (kid) => keys.get(kid),
      issuer: client.clientId,
      subject: client.clientId,
      audience: [issuer, token, endpoint],
      replayScope: `client:${client.clientId}`,
    })
  } catch (error) {
    const reason = describeRejection(error)
    if (reason !== undefined) throw new OAuthError('invalid_client', `client assertion rejected: ${reason}`)
    throw error
  }
  return { client, method: 'private_key_jwt' }
}

function findClient(services: KeyManagerServices, clientId: string): Promise<ClientRecord | null> {
  // Ids are ours (short and random); anything long is not one, and need not reach the store.
  return clientId.length <= MAX_CLIENT_ID_LENGTH ? services.store.getClient(clientId) : Promise.resolve(null)
}
