// The gateway of the security scenario: one process pinned to the proxy core, with one route per
// security profile in front of the same upstream, and its own key manager issuing the OAuth tokens.
// Every route strips its prefix, so all of them forward `GET /v1/data` alike.
import { randomBytes } from 'node:crypto'
import http from 'node:http'
import type { BenchUpstream } from '../../lib/bench-upstream.ts'
import { baseGatehouseConfig, startBenchGateway, startGatehouse } from '../../lib/gatehouse.ts'
import { requestOnce } from '../../lib/http-request.ts'
import { freePort } from '../../lib/ports.ts'
import type { ManagedProcess, RunScope } from '../../lib/run-scope.ts'

export const SCOPE = 'bench.read'
export const PREFIXES = { passthrough: '/passthrough', apiKey: '/api-key', oauth: '/oauth' } as const

export interface SecurityGateway {
  origin: string
  process: ManagedProcess
  /** The gateway's temp dir: its config, the key manager's store and the store's pepper. */
  dir: string
  /** The key manager section, which a second process sharing the store repeats. */
  keyManager: Record<string, unknown>
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
 * The key manager section: the store in the gateway's dir, and the issuer fixed to the gateway's
 * origin, so that a second process sharing the store issues tokens the gateway accepts.
 */
export function keyManagerSection(options: Pick<SecurityConfigOptions, 'port' | 'adminToken' | 'algorithm'>): Record<string, unknown> {
  return {
    issuer: `http://127.0.0.1:${options.port}`,
    adminToken: options.adminToken,
    store: { type: 'sqlite', path: 'keymanager.db' },
    signing: { algorithm: options.algorithm },
  }
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
    keyManager: keyManagerSection(options),
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
  const { origin, process: server, accessLogFile, dir, port } = await startBenchGateway(scope, {
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
    dir,
    keyManager: keyManagerSection({ port, adminToken, algorithm }),
    accessLogFile,
    apiKey,
    clientAuthorization: `Basic ${Buffer.from(credentials).toString('base64')}`,
    tokenPath: '/oauth2/token',
  }
}

/**
 * `count` tokens the gateway has never seen signed: from a second Gatehouse process sharing the
 * gateway's store (its signing keys, the bench client, the pepper), as from another node of a
 * cluster. Tokens from the gateway's own token endpoint would be ones it knows it signed, and it
 * skips their signature check (src/jose/self-signed.ts); oauth-fresh measures that check.
 */
export async function fetchTokensFromAnotherProcess(scope: RunScope, gateway: SecurityGateway, count: number): Promise<string[]> {
  const port = await freePort()
  const config = { ...baseGatehouseConfig({ port, adminPort: await freePort() }), keyManager: gateway.keyManager, routes: [] }
  const issuer = await startGatehouse(scope, { dir: gateway.dir, config, port, configName: 'token-issuer.yaml' })
  try {
    return await fetchTokens({ ...gateway, origin: `http://127.0.0.1:${port}` }, count)
  } finally {
    await issuer.stop()
  }
}

/** `count` distinct access tokens from the gateway's token endpoint, `parallel` requests at a time over keep-alive connections. */
export async function fetchTokens(gateway: Pick<SecurityGateway, 'origin' | 'tokenPath' | 'clientAuthorization'>, count: number, parallel = 16): Promise<string[]> {
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
