// The key manager: an OAuth 2.0 authorization server inside the gateway process. The gateway
// hands it every request whose path `matches` (everything under basePath, plus the well-known
// metadata paths) before routing. It owns its store, its signing keys and a maintenance timer
// that rotates keys and purges expired records.
import type { IncomingMessage, ServerResponse } from 'node:http'
import type { KeyManagerConfig } from '../config/types.ts'
import { GatehouseError } from '../core/errors/gatehouse-error.ts'
import { sendProblem } from '../core/errors/problem.ts'
import type { VerificationKey } from '../jose/verification-key.ts'
import { createJwtVerifier } from '../jose/verify-jwt.ts'
import type { OwnKeyManager } from '../kit/policy.ts'
import { ClientKeys } from './clients/client-keys.ts'
import { metadataDocument, metadataPaths, serveDocument, serveJwks } from './endpoints/discovery.ts'
import { handleIntrospection } from './endpoints/introspection.ts'
import { Registry } from './endpoints/registry.ts'
import { handleRevocation } from './endpoints/revocation.ts'
import { handleToken } from './endpoints/token.ts'
import { PasswordThrottle } from './grants/password-throttle.ts'
import { SIGNING_ALGORITHMS } from './keys/generate-signing-key.ts'
import { KeyRing } from './keys/key-ring.ts'
import { KeysFreshness } from './keys-freshness.ts'
import { endpointUrls, type KeyManagerLog, type KeyManagerServices } from './services.ts'
import { openKeyManagerStorage } from './storage.ts'
import { AccessTokenIssuer } from './tokens/access-token-issuer.ts'
import { TrustedIssuers } from './trust/trusted-issuers.ts'

export interface KeyManagerOptions {
  log?: KeyManagerLog
  /** Epoch seconds; injected by tests. */
  now?: () => number
  /** How often keys are maintained and expired records purged; default one minute. */
  maintenanceIntervalMs?: number
  /**
   * Least time between two re-reads of the keys on demand (JWKS, unknown kid), and how often they
   * are re-read anyway (at least every second); default 10 s. See keys-freshness.ts.
   */
  keysRefreshIntervalMs?: number
}

const METADATA_MAX_AGE_SECONDS = 3600
// One client, or its secret (rotation): `/client/{id}`, `/client/{id}/secret`.
const REGISTRY_ITEM = /^\/client\/[^/]+(?:\/secret)?$/

export class KeyManager implements OwnKeyManager {
  readonly #services: KeyManagerServices
  readonly #registry: Registry
  readonly #basePath: string
  readonly #metadataPaths: Set<string>
  readonly #metadata: Record<string, unknown>
  readonly #timer: NodeJS.Timeout
  readonly #keysTimer: NodeJS.Timeout

  private constructor(services: KeyManagerServices, intervalMs: number) {
    this.#services = services
    this.#registry = new Registry(services)
    this.#basePath = services.config.basePath
    this.#metadataPaths = metadataPaths(services.config)
    this.#metadata = metadataDocument(services.urls)
    this.#timer = setInterval(() => void this.#maintain(), intervalMs).unref()
    // A key another process made (`gatehouse keys rotate --now` after a compromise, a worker's
    // scheduled rotation) is signed with here within this period, not only at the next
    // maintenance. A re-read is one small query; loaded keys whose PEM did not change are kept.
    const freshness = services.keysFreshness
    this.#keysTimer = setInterval(() => void freshness.reread(), freshness.periodMs).unref()
  }

  /** Opens the store, loads (on first start: creates) the signing keys, and starts maintenance. */
  static async open(config: KeyManagerConfig, options: KeyManagerOptions = {}): Promise<KeyManager> {
    const now = options.now ?? (() => Date.now() / 1000)
    const log: KeyManagerLog = options.log ?? (() => {})
    const { store, hasher } = await openKeyManagerStorage(config)
    try {
      const keys = await KeyRing.open(store, {
        algorithm: config.signing.algorithm,
        rotationPeriodSeconds: config.signing.rotationDays * 86_400,
        publishAheadSeconds: config.signing.publishAheadSeconds,
        maxTokenLifetimeSeconds: config.tokens.accessTokenTtlSeconds,
        now,
      })
      const verifyAccessToken = createJwtVerifier({
        keys: (kid) => keys.verificationKey(kid),
        algorithms: SIGNING_ALGORITHMS,
        issuer: config.issuer,
        audience: config.tokens.audience,
        typ: 'at+jwt',
        // Introspection answers for this moment: an expired token is inactive, without leeway.
        clockToleranceSeconds: 0,
        maxTokenBytes: 8192,
        requiredClaims: ['iss', 'sub', 'aud', 'exp', 'iat', 'jti', 'client_id'],
      })
      const services: KeyManagerServices = {
        config,
        store,
        keys,
        keysFreshness: new KeysFreshness(keys, options.keysRefreshIntervalMs, log),
        accessTokens: new AccessTokenIssuer({ issuer: config.issuer, keys, now }),
        verifyAccessToken,
        hasher,
        urls: endpointUrls(config),
        clientKeys: new ClientKeys(),
        throttle: new PasswordThrottle(config.throttle, now),
        trustedIssuers: new TrustedIssuers(config.trustedIssuers, (event, fields) => log('warn', event, { trustedIssuer: true, ...fields })),
        now,
        log,
      }
      return new KeyManager(services, options.maintenanceIntervalMs ?? 60_000)
    } catch (error) {
      await store.close()
      throw error
    }
  }

  get issuer(): string {
    return this.#services.config.issuer
  }

  get audience(): readonly string[] {
    return this.#services.config.tokens.audience
  }

  /** For the gateway's jwt policy (`keyManager: true`): this server's tokens verified in process. */
  verificationKey(kid: string | undefined): VerificationKey | undefined {
    return this.#services.keys.verificationKey(kid)
  }

  /** Keys added by another process sharing the store; at most one re-read per keysRefreshIntervalMs. */
  refreshKeys(): Promise<boolean> {
    return this.#services.keysFreshness.refresh()
  }

  /** Whether the request target (`req.url`) belongs to the key manager. */
  matches(url: string): boolean {
    const path = pathOf(url)
    return path === this.#basePath || path.startsWith(`${this.#basePath}/`) || this.#metadataPaths.has(path)
  }

  /** Answers one request that `matches`; never throws (failures become error responses). */
  handle(req: IncomingMessage, res: ServerResponse, expectContinue = false): void {
    this.#dispatch(req, res, expectContinue).catch((error: unknown) => {
      this.#services.log('error', 'key manager request failed', { error: String((error as Error)?.stack ?? error) })
      sendProblem(res, new GatehouseError('GH_ERR_INTERNAL', 'the key manager could not handle the request'))
    })
  }

  /** Stops maintenance and closes the store; call after the listeners have drained. */
  async close(): Promise<void> {
    clearInterval(this.#timer)
    clearInterval(this.#keysTimer)
    await this.#services.store.close()
  }

  async #dispatch(req: IncomingMessage, res: ServerResponse, expectContinue: boolean): Promise<void> {
    const services = this.#services
    const path = pathOf(req.url ?? '/')
    if (this.#metadataPaths.has(path)) return serveDocument(req, res, () => this.#metadata, METADATA_MAX_AGE_SECONDS)
    const rest = path.slice(this.#basePath.length)
    switch (rest) {
      case '/token': return handleToken(services, req, res, expectContinue)
      case '/introspect': return handleIntrospection(services, req, res, expectContinue)
      case '/revoke': return handleRevocation(services, req, res, expectContinue)
      case '/jwks':
        await services.keysFreshness.refresh()
        return serveJwks(services, req, res)
      case '/client':
      case '/user':
        return this.#registry.handle(req, res, expectContinue, rest)
    }
    if (REGISTRY_ITEM.test(rest)) return this.#registry.handle(req, res, expectContinue, rest)
    sendProblem(res, new GatehouseError('GH_ERR_ROUTE_NOT_FOUND', `no key manager endpoint at ${this.#basePath}${rest}`))
  }

  async #maintain(): Promise<void> {
    const { keys, store, log, now } = this.#services
    try {
      const report = await keys.maintain()
      if (report.created.length + report.retired.length + report.deleted.length > 0) log('info', 'signing keys maintained', { ...report })
      const at = Math.floor(now())
      await store.purgeExpired(at)
      await store.forgetEndedSecrets(at)
    } catch (error) {
      log('error', 'key manager maintenance failed', { error: String((error as Error)?.stack ?? error) })
    }
  }
}

/** The path of an origin-form or absolute-form request target, without the query. */
function pathOf(url: string): string {
  let target = url
  if (!target.startsWith('/')) {
    try {
      target = new URL(target).pathname
    } catch {
      return ''
    }
  }
  const query = target.indexOf('?')
  return query === -1 ? target : target.slice(0, query)
}
