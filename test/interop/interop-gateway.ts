// A real gateway with the key manager turned on, for the interop tests: started in this process
// with Gateway.start from a YAML file in a temp dir, its SQLite store and pepper beside it. The
// listener gets a fixed free port so the issuer is derived from it (`http://127.0.0.1:<port>/oauth2`)
// and every URL in the metadata is one the client libraries can actually reach.
import * as client from 'openid-client'
import { startGateway, type TestGateway } from '../helpers/gateway.ts'
import { freePort } from '../helpers/ports.ts'

export const ADMIN_TOKEN = 'interop-registry-admin-token-0123'

export interface InteropGateway {
  gateway: TestGateway
  /** The issuer identifier, as a URL for `discovery()`. */
  issuer: URL
  tokenEndpoint: string
  jwksUri: URL
  /** Registers a client through the registry API; returns its id and (for secret methods) its secret. */
  register(body: Record<string, unknown>): Promise<{ clientId: string; clientSecret: string }>
  /** Creates a password-grant user through the registry API. */
  createUser(username: string, password: string): Promise<void>
  stop(): Promise<void>
}

/** `settings`: extra YAML lines inside `keyManager:`, each indented by two spaces. */
export async function startInteropGateway(settings: string[] = []): Promise<InteropGateway> {
  const port = await freePort()
  const gateway = await startGateway([
    'listeners:',
    `  - { name: public, protocol: http, host: 127.0.0.1, port: ${port} }`,
    'keyManager:',
    `  adminToken: ${ADMIN_TOKEN}`,
    // The lowest cost scrypt accepts: these tests are about the protocol, not the hash.
    '  passwordHashing: { N: 1024 }',
    ...settings,
    '',
  ].join('\n'))
  const issuer = new URL(`http://127.0.0.1:${port}/oauth2`)
  const admin = { authorization: `Bearer ${ADMIN_TOKEN}`, 'content-type': 'application/json' }
  const post = async (path: string, body: Record<string, unknown>): Promise<Record<string, unknown>> => {
    const answer = await fetch(`${issuer.href}${path}`, { method: 'POST', headers: admin, body: JSON.stringify(body) })
    const text = await answer.text()
    if (answer.status !== 201) throw new Error(`POST ${path}: ${answer.status} ${text}`)
    return JSON.parse(text) as Record<string, unknown>
  }
  return {
    gateway,
    issuer,
    tokenEndpoint: `${issuer.href}/token`,
    jwksUri: new URL(`${issuer.href}/jwks`),
    async register(body) {
      const view = await post('/client', { clientType: 'confidential', clientProfile: 'service', clientName: 'interop client', ownerId: 'interop', ...body })
      return { clientId: view.clientId as string, clientSecret: view.clientSecret as string }
    },
    async createUser(username, password) {
      await post('/user', { username, password })
    },
    stop: () => gateway.stop(),
  }
}

/** openid-client's discovery over plain http (the tests' gateway has no TLS). */
export function discover(issuer: URL, clientId: string, auth: client.ClientAuth, algorithm: 'oidc' | 'oauth2' = 'oidc'): Promise<client.Configuration> {
  return client.discovery(issuer, clientId, undefined, auth, { algorithm, execute: [client.allowInsecureRequests] })
}

export interface OAuthErrorSeen {
  error: string
  status: number
  description?: string
  /** The WWW-Authenticate scheme, when the answer had one (401 invalid_client). */
  challenge?: string
}

/**
 * The OAuth error of a rejected openid-client call. A 401 with `WWW-Authenticate` comes back as
 * the library's WWWAuthenticateChallengeError with the body unread; the body is read here so both
 * kinds are compared the same way.
 */
export async function oauthErrorOf(call: Promise<unknown>): Promise<OAuthErrorSeen> {
  try {
    await call
  } catch (error) {
    if (error instanceof client.ResponseBodyError) return { error: error.error, status: error.status, description: error.error_description }
    if (error instanceof client.WWWAuthenticateChallengeError) {
      const body = await error.response.json() as { error: string; error_description?: string }
      return { error: body.error, status: error.status, description: body.error_description, challenge: error.cause[0]?.scheme }
    }
    throw error
  }
  throw new Error('the call succeeded; an OAuth error was expected')
}
