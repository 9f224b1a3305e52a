// The gateways the token scenario loads: one `gatehouse start` per signing algorithm and
// persistence setting, each with its own SQLite store in a temp dir, all pinned to the proxy core
// (only the one being measured is busy). Each gets one client and one user through the registry
// API, and answers every grant correctly before it is measured.
import { randomBytes } from 'node:crypto'
import { baseGatehouseConfig, startBenchGateway } from '../../lib/gatehouse.ts'
import type { ManagedProcess, RunScope } from '../../lib/run-scope.ts'

export const ALGORITHMS = ['RS256', 'ES256'] as const
export type Algorithm = (typeof ALGORITHMS)[number]
export const PERSISTENCE = ['on', 'off'] as const
export type Persistence = (typeof PERSISTENCE)[number]

/** The key manager's default scrypt cost (`passwordHashing.N`); r = 8, p = 1. */
export const DEFAULT_SCRYPT_N = 16384

// URL-safe, so it goes into the form body as is.
const PASSWORD = 'bench-password-0123456789'
/**
 * Concurrent logins per username stay well below `throttle.maxFailures` (10): every attempt counts
 * as a failure until its hash has been checked, so one username under 64 concurrent logins would
 * be throttled (429) although every password is right.
 */
const LOGINS_PER_USER = 2

export interface TokenGateway {
  algorithm: Algorithm
  persistence: Persistence
  tokenUrl: string
  process: ManagedProcess
  /** client_secret_basic of the bench client (client_credentials, password, refresh_token). */
  authorization: string
  /** Password-grant form bodies, one per user; the load cycles through them. */
  passwordBodies: string[]
  /** `count` fresh refresh tokens, from password logins (each costs one scrypt hash). */
  refreshTokens(count: number): Promise<string[]>
}

export function tokenGatehouseConfig(options: { port: number; adminPort: number; algorithm: Algorithm; persistence: Persistence; scryptN: number; adminToken: string }): Record<string, unknown> {
  return {
    // No upstream, and no access log: only the key manager is loaded.
    ...baseGatehouseConfig({ port: options.port, adminPort: options.adminPort }),
    keyManager: {
      adminToken: options.adminToken,
      signing: { algorithm: options.algorithm },
      tokens: { persist: options.persistence === 'on' },
      passwordHashing: { N: options.scryptN, r: 8, p: 1 },
    },
  }
}

async function postJson(url: string, adminToken: string, body: unknown): Promise<Record<string, unknown>> {
  const answer = await fetch(url, { method: 'POST', headers: { authorization: `Bearer ${adminToken}`, 'content-type': 'application/json' }, body: JSON.stringify(body) })
  const text = await answer.text()
  if (answer.status !== 201) throw new Error(`POST ${url} answered ${answer.status}: ${text.slice(0, 300)}`)
  return JSON.parse(text) as Record<string, unknown>
}

/** One token request; throws unless it is 200 with an access token (and a refresh token when `refresh`). */
export async function requestToken(url: string, authorization: string, body: string, refresh: boolean): Promise<{ accessToken: string; refreshToken?: string }> {
  const answer = await fetch(url, { method: 'POST', headers: { authorization, 'content-type': 'application/x-www-form-urlencoded' }, body })
  const text = await answer.text()
  const grant = /grant_type=([^&]+)/.exec(body)?.[1]
  if (answer.status !== 200) throw new Error(`${grant} at ${url} answered ${answer.status}: ${text.slice(0, 300)}`)
  const json = JSON.parse(text) as { access_token?: unknown; refresh_token?: unknown }
  if (typeof json.access_token !== 'string') throw new Error(`${grant} at ${url} gave no access_token: ${text.slice(0, 300)}`)
  if (refresh && typeof json.refresh_token !== 'string') throw new Error(`${grant} at ${url} gave no refresh_token: ${text.slice(0, 300)}`)
  return { accessToken: json.access_token, refreshToken: json.refresh_token as string | undefined }
}

/** Runs `task(0..count-1)` at most `parallel` at a time, in order of index. */
async function inBatches<T>(count: number, parallel: number, task: (index: number) => Promise<T>): Promise<T[]> {
  const results: T[] = []
  for (let done = 0; done < count; done += parallel) {
    results.push(...await Promise.all(Array.from({ length: Math.min(parallel, count - done) }, (_, i) => task(done + i))))
  }
  return results
}

/** `connections`: the most the password grant will be loaded with; sets how many users there are. */
export async function startTokenGateway(scope: RunScope, options: { algorithm: Algorithm; persistence: Persistence; scryptN: number; connections: number; cpu?: number }): Promise<TokenGateway> {
  const adminToken = randomBytes(24).toString('base64url')
  const server = await startBenchGateway(scope, {
    dirPrefix: `gatehouse-bench-token-${options.algorithm}-${options.persistence}`,
    cpu: options.cpu,
    config: ({ port, adminPort }) => tokenGatehouseConfig({ port, adminPort, adminToken, algorithm: options.algorithm, persistence: options.persistence, scryptN: options.scryptN }),
  })
  const base = `${server.origin}/oauth2`
  const client = await postJson(`${base}/client`, adminToken, {
    clientType: 'confidential',
    clientProfile: 'service',
    clientName: 'token benchmark',
    ownerId: 'bench',
    scope: 'read write',
    grantTypes: ['client_credentials', 'password', 'refresh_token'],
  })
  const usernames = Array.from({ length: Math.max(1, Math.ceil(options.connections / LOGINS_PER_USER)) }, (_, i) => `bench-user-${i + 1}`)
  // Each user costs the gateway one scrypt hash; a few at a time keep its thread pool busy.
  await inBatches(usernames.length, 4, (i) => postJson(`${base}/user`, adminToken, { username: usernames[i], password: PASSWORD }))
  // RFC 6749 §2.3.1: id and secret are form-urlencoded before base64; ours are URL-safe already.
  const authorization = `Basic ${Buffer.from(`${String(client.clientId)}:${String(client.clientSecret)}`).toString('base64')}`
  const tokenUrl = `${base}/token`
  const passwordBodies = usernames.map((username) => `grant_type=password&username=${username}&password=${PASSWORD}`)
  const login = async (index: number): Promise<string> => (await requestToken(tokenUrl, authorization, passwordBodies[index % passwordBodies.length], true)).refreshToken as string
  const gateway: TokenGateway = {
    algorithm: options.algorithm,
    persistence: options.persistence,
    tokenUrl,
    process: server.process,
    authorization,
    passwordBodies,
    refreshTokens: (count) => inBatches(count, 8, login),
  }
  // Every grant must work before anything is measured.
  await requestToken(tokenUrl, authorization, 'grant_type=client_credentials', false)
  const [seed] = await gateway.refreshTokens(1)
  await requestToken(tokenUrl, authorization, `grant_type=refresh_token&refresh_token=${seed}`, true)
  return gateway
}
