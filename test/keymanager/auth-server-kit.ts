// A real key manager behind a plain node:http server on 127.0.0.1 (the same wiring the gateway
// uses: requests that `matches` go to `handle`), with its config parsed from YAML like a real
// file, a store in a fresh temp directory and a clock tests can move forward.
import { mkdtemp, rm, writeFile } from 'node:fs/promises'
import http from 'node:http'
import type { AddressInfo } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { parseConfigText } from '../../src/config/load.ts'
import type { KeyManagerConfig } from '../../src/config/types.ts'
import { basicAuthorization } from '../../src/keymanager/clients/basic-credentials.ts'
import { KeyManager } from '../../src/keymanager/key-manager.ts'
import type { KeyManagerLog } from '../../src/keymanager/services.ts'

export const ADMIN_TOKEN = 'registry-admin-token-0123456789'

export interface AuthServerOptions {
  store?: 'memory' | 'sqlite'
  persist?: boolean
  /** scrypt N of stored passwords; the lowest scrypt accepts by default, which keeps the suite fast. */
  scryptN?: number
  /** More YAML lines inside `keyManager:` (indented by the caller with two spaces). */
  settings?: string[]
  /** How often the key manager maintains its keys (default one minute). */
  maintenanceIntervalMs?: number
  /** Least time between on-demand key re-reads (default 10 s). */
  keysRefreshIntervalMs?: number
  /** An absolute SQLite path, to share one store between two servers (two worker processes). */
  storePath?: string
  /** Files written into the config directory before the config is loaded (e.g. PEM keys). */
  files?: Record<string, string>
  /** Receives the key manager's log events. */
  log?: KeyManagerLog
}

export interface HttpAnswer {
  status: number
  headers: Headers
  text: string
  json: Record<string, unknown>
}

export interface AuthServer {
  origin: string
  issuer: string
  tokenUrl: string
  dir: string
  /** The config file, also written to disk, so CLI commands can work on the same store. */
  configFile: string
  config: KeyManagerConfig
  km: KeyManager
  /** Moves the key manager's clock forward. */
  advance(seconds: number): void
  request(path: string, init?: RequestInit): Promise<HttpAnswer>
  /** POSTs a form to `<basePath>/<endpoint>`; `basic` adds client_secret_basic credentials. */
  post(endpoint: 'token' | 'introspect' | 'revoke', form: Record<string, string>, basic?: Credentials): Promise<HttpAnswer>
  /** Registers a client through the registry API. */
  register(body: Record<string, unknown>): Promise<Credentials & { view: Record<string, unknown> }>
  createUser(username: string, password: string, scope?: string): Promise<void>
  close(): Promise<void>
}

export interface Credentials {
  clientId: string
  clientSecret: string
}

/** The issuer of a key manager inside a test gateway: its listener uses port 0, so none can be derived from it. */
export const GATEWAY_ISSUER = 'https://auth.example.test/oauth2'

/** The `keyManager:` section of a test gateway's config: that issuer, the kit's admin token, the lowest scrypt cost. */
export const GATEWAY_KEY_MANAGER_YAML = ['keyManager:', `  issuer: ${GATEWAY_ISSUER}`, `  adminToken: ${ADMIN_TOKEN}`, '  passwordHashing: { N: 1024 }'].join('\n')

/** Registers a confidential service client through the registry API at `origin` (a gateway's or an auth server's). */
export async function registerServiceClient(origin: string, clientName: string, scope: string): Promise<Credentials> {
  const registered = await fetch(`${origin}/oauth2/client`, {
    method: 'POST',
    headers: { authorization: `Bearer ${ADMIN_TOKEN}`, 'content-type': 'application/json' },
    body: JSON.stringify({ clientType: 'confidential', clientProfile: 'service', clientName, scope, ownerId: 'o' }),
  })
  if (registered.status !== 201) throw new Error(`registering ${clientName} answered ${registered.status}: ${await registered.text()}`)
  const { clientId, clientSecret } = await registered.json() as Credentials
  return { clientId, clientSecret }
}

export async function startAuthServer(options: AuthServerOptions = {}): Promise<AuthServer> {
  const dir = await mkdtemp(join(tmpdir(), 'gatehouse-km-'))
  for (const [name, text] of Object.entries(options.files ?? {})) await writeFile(join(dir, name), text)
  // The key manager needs the port for its issuer, so it is opened once the server listens.
  const opened: { km?: KeyManager } = {}
  const server = http.createServer((req, res) => {
    if (opened.km?.matches(req.url ?? '/') === true) opened.km.handle(req, res)
    else res.writeHead(404).end()
  })
  server.on('checkContinue', (req, res) => opened.km?.handle(req, res, true))
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const port = (server.address() as AddressInfo).port
  const origin = `http://127.0.0.1:${port}`
  const yaml = [
    `listeners: [{ name: main, host: 127.0.0.1, port: ${port} }]`,
    'keyManager:',
    `  adminToken: ${ADMIN_TOKEN}`,
    `  store: { type: ${options.store ?? 'sqlite'}${options.storePath === undefined ? '' : `, path: "${options.storePath}"`} }`,
    `  tokens: { persist: ${options.persist ?? false} }`,
    `  passwordHashing: { N: ${options.scryptN ?? 1024} }`,
    ...(options.settings ?? []),
  ].join('\n')
  const configFile = join(dir, 'gatehouse.yaml')
  await writeFile(configFile, `${yaml}\n`)
  const config = parseConfigText(yaml, configFile, { env: {}, policies: {} }).keyManager as KeyManagerConfig
  let offset = 0
  const km = await KeyManager.open(config, { now: () => Date.now() / 1000 + offset, maintenanceIntervalMs: options.maintenanceIntervalMs, keysRefreshIntervalMs: options.keysRefreshIntervalMs, log: options.log })
  opened.km = km
  const request = async (path: string, init: RequestInit = {}): Promise<HttpAnswer> => {
    const response = await fetch(origin + path, init)
    const text = await response.text()
    let json: Record<string, unknown> = {}
    try {
      json = JSON.parse(text) as Record<string, unknown>
    } catch {
      // Not every answer has a JSON body (204, 200 from revocation).
    }
    return { status: response.status, headers: response.headers, text, json }
  }
  const admin = { authorization: `Bearer ${ADMIN_TOKEN}`, 'content-type': 'application/json' }
  return {
    origin,
    issuer: config.issuer,
    tokenUrl: `${origin}/oauth2/token`,
    dir,
    configFile,
    config,
    km,
    advance: (seconds) => { offset += seconds },
    request,
    post: (endpoint, form, basic) => request(`/oauth2/${endpoint}`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded', ...(basic === undefined ? {} : { authorization: basicAuthorization(basic.clientId, basic.clientSecret) }) },
      body: new URLSearchParams(form).toString(),
    }),
    async register(body) {
      const answer = await request('/oauth2/client', { method: 'POST', headers: admin, body: JSON.stringify({ clientProfile: 'service', clientName: 'test client', ownerId: 'owner-1', clientType: 'confidential', ...body }) })
      if (answer.status !== 201) throw new Error(`registration failed: ${answer.status} ${answer.text}`)
      return { clientId: answer.json.clientId as string, clientSecret: answer.json.clientSecret as string, view: answer.json }
    },
    async createUser(username, password, scope) {
      const answer = await request('/oauth2/user', { method: 'POST', headers: admin, body: JSON.stringify({ username, password, ...(scope === undefined ? {} : { scope }) }) })
      if (answer.status !== 201) throw new Error(`user creation failed: ${answer.status} ${answer.text}`)
    },
    async close() {
      server.closeAllConnections()
      await new Promise<void>((resolve) => server.close(() => resolve()))
      await km.close()
      await rm(dir, { recursive: true, force: true })
    },
  }
}

/** The claims of a JWT, unverified (tests check what was issued; verification is tested elsewhere). */
export function claimsOf(token: string): Record<string, unknown> {
  return JSON.parse(Buffer.from(token.split('.')[1], 'base64url').toString('utf8')) as Record<string, unknown>
}
