import type { IncomingMessage, ServerResponse } from 'node:http'
import { loadConfigFile } from '../../config/load.ts'
import type { GatehouseConfig } from '../../config/types.ts'
import { GatehouseError } from '../../core/errors/gatehouse-error.ts'
import type { KeyManager } from '../../keymanager/key-manager.ts'
import { liveJwksKeySets } from '../../jose/jwks-key-set.ts'
import type { PolicyDefinition } from '../../kit/policy.ts'
import { createAccessLog, type AccessLog } from '../../observability/access-log.ts'
import { GatewayMetrics } from '../../observability/metrics.ts'
import { POLICIES } from '../../policies/index.ts'
import { ProxyExchange } from '../proxy/proxy-exchange.ts'
import { Runtime } from '../runtime.ts'
import type { RequestObservers } from '../services.ts'
import { observeKeyManagerRequest } from './key-manager-requests.ts'
import { closeListener, openListener, type Listener } from './listeners.ts'

export type ReloadResult = { ok: true; version: number } | { ok: false; error: GatehouseError }

export interface GatewayOptions {
  configFile: string
  env?: Record<string, string | undefined>
  policies?: Record<string, PolicyDefinition<unknown>>
  /** Listen with SO_REUSEPORT-free exclusive sockets (single process) or share them (cluster workers). */
  exclusive?: boolean
  /** Called with lifecycle events worth a process-log line. */
  log?: (level: 'info' | 'warn' | 'error', message: string, fields?: Record<string, unknown>) => void
}

export interface GatewayStartOptions extends GatewayOptions {
  /**
   * `configFile` as the caller has just loaded it (the CLI does, to refuse a bad file before
   * anything starts): a large file is then parsed once, not twice. Reloads read the file again.
   */
  config?: GatehouseConfig
}

/**
 * The data plane of one process: listeners, the current Runtime, and the observers requests report
 * to. Reload builds a new Runtime beside the old one and swaps the reference; shutdown drains.
 */
export class Gateway {
  readonly metrics: GatewayMetrics | null
  #options: GatewayOptions
  #runtime: Runtime
  #listeners: Listener[] = []
  #accessLog: AccessLog | null
  #draining = false
  #reloading: Promise<ReloadResult> | null = null
  /** The OAuth authorization server, when `keyManager` is configured; its settings apply at start only. */
  #keyManager: KeyManager | null = null

  private constructor(options: GatewayOptions, runtime: Runtime) {
    this.#options = options
    this.#runtime = runtime
    const { observability } = runtime.config
    this.metrics = observability.metrics ? new GatewayMetrics() : null
    this.metrics?.setRoutes(runtime.routes.map((route) => route.name))
    this.metrics?.setUpstreamHealthSource(() => [...this.#runtime.upstreams.values()].flatMap((upstream) => upstream.targets.health()))
    this.metrics?.setJwksSource(() => liveJwksKeySets().map((set) => ({ jwksUri: set.where, keys: set.lookup.size, fetchSuccesses: set.fetchSuccesses, fetchFailures: set.fetchFailures })))
    const log = options.log
    // Destination failures (disk full, a reader that stopped) go to the process log, once per streak.
    const report = log === undefined ? {} : { log: { error: (details: Record<string, unknown>, message: string) => log('error', message, details), info: (details: Record<string, unknown>, message: string) => log('info', message, details) } }
    this.#accessLog = observability.accessLog.enabled ? createAccessLog(observability.accessLog, report) : null
  }

  static async start(startOptions: GatewayStartOptions): Promise<Gateway> {
    // Not kept in the options: the first config must not outlive the runtime built from it.
    const { config: loaded, ...options } = startOptions
    const config = loaded ?? await loadConfigFile(options.configFile, { env: options.env ?? process.env, policies: options.policies })
    // Loaded only when configured, so a gateway without it never pays for its imports. Opened
    // before the routes compile: the jwt policy's `keyManager: true` reads its keys in process.
    const keyManager = config.keyManager === null ? null : await (await import('../../keymanager/key-manager.ts')).KeyManager.open(config.keyManager, { log: options.log })
    let runtime: Runtime
    try {
      runtime = await Runtime.create(config, 1, options.policies ?? POLICIES, healthLog(options), keyManager ?? undefined)
    } catch (error) {
      await keyManager?.close()
      throw error
    }
    const gateway = new Gateway(options, runtime)
    gateway.#keyManager = keyManager
    await gateway.#listen()
    gateway.#runtime.startHealthChecks()
    return gateway
  }

  get config(): GatehouseConfig {
    return this.#runtime.config
  }

  get version(): number {
    return this.#runtime.version
  }

  get ready(): boolean {
    return !this.#draining && this.#listeners.length > 0
  }

  /** Bound addresses by listener name (useful with port 0). */
  addresses(): Record<string, { host: string; port: number }> {
    return Object.fromEntries(this.#listeners.map((listener) => [listener.name, listener.address()]))
  }

  async #listen(): Promise<void> {
    const { config } = this.#runtime
    const observers: RequestObservers = {
      metrics: this.metrics,
      accessLog: this.#accessLog,
      internalError: (error, correlationId) => this.#options.log?.('error', error.detail, { code: error.code, correlationId, cause: String((error.cause as Error | undefined)?.stack ?? error.cause) }),
    }
    const onRequest = (req: IncomingMessage, res: ServerResponse, expectContinue: boolean): void => {
      if (this.#draining) res.shouldKeepAlive = false
      if (this.#keyManager?.matches(req.url ?? '/') === true) {
        observeKeyManagerRequest(req, res, this.#runtime, observers)
        return this.#keyManager.handle(req, res, expectContinue)
      }
      new ProxyExchange(req, res, this.#runtime, observers, expectContinue).begin()
    }
    for (const listenerConfig of config.listeners) {
      const listener = await openListener(listenerConfig, config.limits, onRequest, this.#options.exclusive ?? true)
      if (this.metrics !== null) {
        const metrics = this.metrics
        listener.server.on('connection', (socket) => {
          metrics.connectionOpened()
          socket.once('close', () => metrics.connectionClosed())
        })
      }
      this.#listeners.push(listener)
    }
  }

  /**
   * Validates and compiles the config file again and swaps it in. Requests already running finish
   * on the old config; a bad file changes nothing and comes back as the error (CFG-02).
   */
  reload(): Promise<ReloadResult> {
    // Concurrent reloads (SIGHUP and admin at once) share one attempt instead of racing.
    this.#reloading ??= this.#reload().finally(() => (this.#reloading = null))
    return this.#reloading
  }

  async #reload(): Promise<ReloadResult> {
    let next: Runtime
    try {
      const config = await loadConfigFile(this.#options.configFile, { env: this.#options.env ?? process.env, policies: this.#options.policies })
      next = await Runtime.create(config, this.#runtime.version + 1, this.#options.policies ?? POLICIES, healthLog(this.#options), this.#keyManager ?? undefined)
    } catch (error) {
      const gatehouseError = error instanceof GatehouseError ? error : new GatehouseError('GH_ERR_CONFIG_INVALID', String(error))
      this.metrics?.recordReload(false)
      return { ok: false, error: gatehouseError }
    }
    if (JSON.stringify(this.#runtime.config.keyManager) !== JSON.stringify(next.config.keyManager)) {
      this.#options.log?.('warn', 'keyManager settings changed; they take effect on restart', { version: next.version })
    }
    if (!sameListeners(this.#runtime.config, next.config)) {
      this.#options.log?.('warn', 'listener settings changed; they take effect on restart', { version: next.version })
    }
    const previous = this.#runtime
    this.#runtime = next
    this.metrics?.setRoutes(next.routes.map((route) => route.name))
    this.metrics?.recordReload(true)
    next.startHealthChecks()
    previous.retire()
    return { ok: true, version: next.version }
  }

  /**
   * Stops accepting connections, lets in-flight requests finish (keep-alive connections close
   * after their current response), and cuts whatever is left at the drain deadline.
   */
  async shutdown(drainTimeoutMs = this.#runtime.config.shutdown.drainTimeoutMs): Promise<void> {
    if (this.#draining) return
    this.#draining = true
    const closing = Promise.all(this.#listeners.map(closeListener))
    let timer: NodeJS.Timeout | undefined
    const deadline = new Promise<void>((resolve) => {
      timer = setTimeout(() => {
        for (const listener of this.#listeners) listener.server.closeAllConnections()
        resolve()
      }, drainTimeoutMs)
    })
    await Promise.race([closing, deadline])
    clearTimeout(timer)
    this.#runtime.retire()
    await this.#keyManager?.close()
    await this.#accessLog?.close()
  }
}

/** Upstream health transitions (ejections, panic mode) as process-log warnings. */
function healthLog(options: GatewayOptions): ((event: string, fields: object) => void) | undefined {
  const log = options.log
  return log === undefined ? undefined : (event, fields) => log('warn', event, fields as Record<string, unknown>)
}

function sameListeners(a: GatehouseConfig, b: GatehouseConfig): boolean {
  return JSON.stringify(a.listeners) === JSON.stringify(b.listeners) && JSON.stringify(a.limits) === JSON.stringify(b.limits)
}
