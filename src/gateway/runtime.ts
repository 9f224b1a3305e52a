import FindMyWay from 'find-my-way'
import type { GatehouseConfig, RouteConfig, UpstreamConfig } from '../config/types.ts'
import { openConsumerIndex, type ConsumerIndex } from '../consumers/directory.ts'
import { compileChain, type CompiledChain } from '../core/chain.ts'
import { GatehouseError } from '../core/errors/gatehouse-error.ts'
import type { OwnKeyManager, PolicyDefinition } from '../kit/policy.ts'
import { ForwardingRules } from './proxy/forwarding.ts'
import { ConnectionPool } from './upstreams/connection-pool.ts'
import { TargetSet } from './upstreams/target-set.ts'
import type { Target } from './upstreams/target.ts'
import path from 'node:path'

export interface UpstreamRuntime {
  name: string
  config: UpstreamConfig
  targets: TargetSet
  pools: Map<Target, ConnectionPool>
}

export interface CompiledRoute {
  index: number
  name: string
  config: RouteConfig
  /** Null for a route that never goes upstream (an API whose operations are all mocked). */
  upstream: UpstreamRuntime | null
  chain: CompiledChain
  /** Number of leading path segments removed before forwarding; -1 when strip-path is off. */
  stripSegments: number
  preserveHost: boolean
}

/** What the router stores per registered path: the route and how many segments its path has. */
interface RouteEntry {
  route: CompiledRoute
  segments: number
}

export type Router = FindMyWay.Instance<FindMyWay.HTTPVersion.V1>

/**
 * The method the any-method tree files its routes under: find-my-way keeps one tree per method,
 * and the any-method tree is looked up for every method no route names (see #register).
 */
const ANY_METHOD_KEY: FindMyWay.HTTPMethod = 'GET'

/**
 * Everything a config compiles to: router, policy chains, upstream pools. Built completely before
 * it replaces the previous one, so a reload is one reference swap; requests already running keep
 * the runtime they started with, and a retired runtime closes its pools once they finished.
 */
export class Runtime {
  readonly version: number
  readonly config: GatehouseConfig
  /** Routes by path for the methods some route names; routes without `methods` are in each tree. */
  readonly router: Router
  /** Routes without `methods`, for every method no route names (under ANY_METHOD_KEY). */
  readonly #anyMethodRouter: Router
  /** The methods that some route names; a request with another method looks in #anyMethodRouter. */
  readonly #namedMethods: ReadonlySet<string>
  readonly routes: CompiledRoute[]
  readonly upstreams: Map<string, UpstreamRuntime>
  readonly forwarding: ForwardingRules
  /** API keys and client ids of the config's and the store's consumers, kept current from the store. */
  readonly consumers: ConsumerIndex | undefined
  inFlight = 0
  #retired = false

  /**
   * Opens the consumer directory (it reads the store), then compiles; a failure leaves nothing
   * running. `keyManager` is this process's own, offered to policies (it outlives runtimes).
   */
  static async create(config: GatehouseConfig, version: number, policies: Record<string, PolicyDefinition<unknown>>, log?: (event: string, fields: object) => void, keyManager?: OwnKeyManager): Promise<Runtime> {
    const consumers = await openConsumerIndex(config, { log })
    try {
      return new Runtime(config, version, policies, log, consumers, keyManager)
    } catch (error) {
      await consumers.stop()
      throw error
    }
  }

  constructor(config: GatehouseConfig, version: number, policies: Record<string, PolicyDefinition<unknown>>, log?: (event: string, fields: object) => void, consumers?: ConsumerIndex, keyManager?: OwnKeyManager) {
    this.version = version
    this.config = config
    this.consumers = consumers
    this.forwarding = new ForwardingRules(config.forwarding)
    this.upstreams = new Map()
    for (const upstream of Object.values(config.upstreams)) this.upstreams.set(upstream.name, compileUpstream(upstream, log))
    const routerOptions = { caseSensitive: true, ignoreTrailingSlash: false, ignoreDuplicateSlashes: false, maxParamLength: 1000 }
    this.router = FindMyWay(routerOptions)
    this.#anyMethodRouter = FindMyWay(routerOptions)
    this.#namedMethods = new Set(config.routes.flatMap((route) => route.methods))
    const configDir = path.dirname(config.source)
    this.routes = config.routes.map((route, index) => {
      const upstream = route.upstream === '' ? null : this.upstreams.get(route.upstream)
      if (upstream === undefined) throw new GatehouseError('GH_ERR_CONFIG_REFERENCE', `routes[${index}].upstream: no upstream named "${route.upstream}"`)
      const chain = compileChain({ ...config.policies, ...route.policies }, policies, { configDir, routeName: route.name, consumers, keyManager, log })
      const compiled: CompiledRoute = { index, name: route.name, config: route, upstream, chain, stripSegments: -1, preserveHost: route.preserveHost }
      this.#register(compiled)
      return compiled
    })
  }

  /**
   * A route without `methods` goes into the tree of each method some route names, and once into
   * the any-method tree that serves all other methods. Filing it under every method node:http
   * knows (34 of them) gave the same lookups but made 10,000 routes take seconds to load.
   */
  #register(route: CompiledRoute): void {
    const { config } = route
    const named = config.methods.length === 0 ? [...this.#namedMethods] : config.methods
    const hostConstraints = config.hosts.length === 0 ? [undefined] : config.hosts.map(hostConstraint)
    for (const routePath of config.paths) {
      const base = config.match === 'prefix' && routePath.length > 1 && routePath.endsWith('/') ? routePath.slice(0, -1) : routePath
      const segments = base === '/' ? 0 : base.split('/').length - 1
      if (config.stripPath) route.stripSegments = config.stripSegments ?? segments
      const patterns = config.match === 'exact' ? [base] : base === '/' ? ['/*'] : [base, `${base}/*`]
      const entry: RouteEntry = { route, segments }
      for (const host of hostConstraints) {
        const options = host === undefined ? {} : { constraints: { host } }
        for (const pattern of patterns) {
          if (named.length > 0) this.router.on(named as FindMyWay.HTTPMethod[], pattern, options, noop, entry)
          if (config.methods.length === 0) this.#anyMethodRouter.on(ANY_METHOD_KEY, pattern, options, noop, entry)
        }
      }
    }
  }

  /** Route for a normalised path, or null. */
  match(method: string, normalisedPath: string, host: string): { entry: RouteEntry; params: Record<string, string | undefined> } | null {
    // CONNECT is never proxied (node:http hands it to the 'connect' event, not to a request).
    if (method === 'CONNECT') return null
    const found = this.#namedMethods.has(method)
      ? this.router.find(method as FindMyWay.HTTPMethod, normalisedPath, { host })
      : this.#anyMethodRouter.find(ANY_METHOD_KEY, normalisedPath, { host })
    if (found === null) return null
    return { entry: found.store as RouteEntry, params: found.params }
  }

  startHealthChecks(): void {
    for (const upstream of this.upstreams.values()) upstream.targets.startActiveChecks()
  }

  /** Called when a newer runtime took over; resources are freed once in-flight requests ended. */
  retire(): void {
    this.#retired = true
    for (const upstream of this.upstreams.values()) upstream.targets.stop()
    // Requests still running on this runtime have authenticated already; lookups keep working anyway.
    void this.consumers?.stop().catch(() => {})
    if (this.inFlight === 0) this.#closePools()
  }

  /** The request path calls this when a request that started on this runtime ends. */
  requestEnded(): void {
    this.inFlight--
    if (this.#retired && this.inFlight === 0) this.#closePools()
  }

  #closePools(): void {
    for (const upstream of this.upstreams.values()) for (const pool of upstream.pools.values()) pool.close()
  }
}

function compileUpstream(config: UpstreamConfig, log: ((event: string, fields: object) => void) | undefined): UpstreamRuntime {
  const targets = new TargetSet(config, { log })
  const pools = new Map<Target, ConnectionPool>()
  for (const target of targets.targets) {
    pools.set(target, new ConnectionPool(target.host, target.port, { poolSize: config.poolSize, queueSize: config.queueSize, timeouts: { ...config.timeouts, keepAliveMs: config.keepAliveMs } }))
  }
  return { name: config.name, config, targets, pools }
}

function hostConstraint(host: string): string | RegExp {
  if (!host.startsWith('*.')) return host.toLowerCase()
  const suffix = host.slice(2).toLowerCase().replace(/[.*+?^${}()|[\]\\]/g, '\\$&')
  return new RegExp(`^[^.]+\\.${suffix}$`)
}

function noop(): void {}
