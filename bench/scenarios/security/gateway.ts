// The gateway of the security scenario: one process pinned to the proxy core, with one route per
// security profile in front of the same upstream, and its own key manager issuing the OAuth tokens.
// Every route strips its prefix, so all of them forward `GET /v1/data` alike.
import { randomBytes } from 'node:crypto'
import http from 'node:http'
import type { BenchUpstream } from '../../lib/bench-upstream.ts'
import { baseGatehouseConfig, startBenchGateway } from '../../lib/gatehouse.ts'
import { requestOnce } from '../../lib/http-request.ts'
import type { ManagedProcess, RunScope } from '../../lib/run-scope.ts'

export const SCOPE = 'bench.read'
export const PREFIXES = { passthrough: '/passthrough', apiKey: '/api-key', oauth: '/oauth' } as const

export interface SecurityGateway {
  origin: string
  process: ManagedProcess
  accessLogFile: string
  apiKey: string
  /** `Basic …` credentials of a client allowed the client_credentials grant and SCOPE. */
  clientAuthorization: string
  tokenPath: string
}

export const SIGNING_ALGORITHMS = ['ES256', 'RS256', 'PS256', 'EdDSA'] as const
export type SigningAlgorithm = (typeof SIGNING_ALGORITHMS)[number]

export interface SecurityConfigOptions {
  port: number
  adminPort: number
  upstreamUrl: string
  accessLogFile: string
  apiKey: string
  adminToken: string
  /** The key manager's signing algorithm (its default is ES256). */
  algorithm: SigningAlgorithm
}

/**
 * The config: the base (one worker, access log to a file, metrics on, one upstream) plus a
 * consumer with an API key, the key manager and the three routes.
 */
export function securityGatehouseConfig(options: SecurityConfigOptions): Record<string, unknown> {
  const route = (name: string, prefix: string, policies?: Record<string, unknown>) => ({ name, paths: [prefix], match: 'prefix', stripPath: true, upstream: 'backend', ...(policies === undefined ? {} : { policies }) })
  return {
    ...baseGatehouseConfig(options),
    consumers: [{ id: 'bench-app', apiKeys: [{ key: options.apiKey, label: 'bench' }] }],
    keyManager: { adminToken: options.adminToken, store: { type: 'sqlite', path: 'keymanager.db' }, signing: { algorithm: options.algorithm } },
    routes: [
      route('passthrough', PREFIXES.passthrough),
      route('api-key', PREFIXES.apiKey, { 'api-key': {} }),
      route('oauth', PREFIXES.oauth, { jwt: { issuers: [{ keyManager: true }], scopes: [SCOPE] } }),
    ],
  }
}

/** Starts the gateway on `cpu` and registers the bench client through the key manager's registry API. */
export async function startSecurityGateway(scope: RunScope, upstream: BenchUpstream, cpu: number | undefined, algorithm: SigningAlgorithm): Promise<SecurityGateway> {
  const apiKey = randomBytes(32).toString('base64url')
  const adminToken = randomBytes(24).toString('base64url')
  const { origin, process: server, accessLogFile } = await startBenchGateway(scope, {
    dirPrefix: 'gatehouse-bench-security',
    cpu,
    config: (place) => securityGatehouseConfig({ ...place, upstreamUrl: upstream.origin, apiKey, adminToken, algorithm }),
  })
  const registered = await requestOnce(`${origin}/oauth2/client`, {
    method: 'POST',
    headers: { authorization: `Bearer ${adminToken}`, 'content-type': 'application/json' },
    body: JSON.stringify({ clientType: 'confidential', clientProfile: 'service', clientName: 'bench', scope: SCOPE, ownerId: 'bench' }),
  })
  if (registered.status !== 201) throw new Error(`registering the bench client answered ${registered.status} ${registered.body.slice(0, 200)}`)
  const { clientId, clientSecret } = JSON.parse(registered.body) as { clientId: string; clientSecret: string }
  const credentials = `${encodeURIComponent(clientId)}:${encodeURIComponent(clientSecret)}`
  return {
    origin,
    process: server,
    accessLogFile,
    apiKey,
    clientAuthorization: `Basic ${Buffer.from(credentials).toString('base64')}`,
    tokenPath: '/oauth2/token',
  }
}

/** `count` distinct access tokens from the gateway's token endpoint, `parallel` requests at a time over keep-alive connections. */
export async function fetchTokens(gateway: SecurityGateway, count: number, parallel = 16): Promise<string[]> {
  const tokens: string[] = []
  const agent = new http.Agent({ keepAlive: true, maxSockets: parallel })
  try {
    let next = 0
    const worker = async (): Promise<void> => {
      while (next < count) {
        next++
        const answer = await requestOnce(gateway.origin + gateway.tokenPath, {
          method: 'POST',
          headers: { authorization: gateway.clientAuthorization, 'content-type': 'application/x-www-form-urlencoded' },
          body: 'grant_type=client_credentials',
          agent,
        })
        if (answer.status !== 200) throw new Error(`the token endpoint answered ${answer.status} ${answer.body.slice(0, 200)}`)
        tokens.push((JSON.parse(answer.body) as { access_token: string }).access_token)
      }
    }
    await Promise.all(Array.from({ length: parallel }, worker))
  } finally {
    agent.destroy()
  }
  return tokens
}
