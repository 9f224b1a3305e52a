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
import { METHODS } from 'node:http'
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

/** A route without `methods` takes every method node:http parses, except CONNECT (never proxied). */
const ANY_METHOD = METHODS.filter((method) => method !== 'CONNECT') as FindMyWay.HTTPMethod[]

/**
 * Everything a config compiles to: router, policy chains, upstream pools. Built completely before
 * it replaces the previous one, so a reload is one reference swap; requests already running keep
 * the runtime they started with, and a retired runtime closes its pools once they finished.
 */
export class Runtime {
  readonly version: number
  readonly config: GatehouseConfig
  readonly router: Router
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
    this.router = FindMyWay({ caseSensitive: true, ignoreTrailingSlash: false, ignoreDuplicateSlashes: false, maxParamLength: 1000 })
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

  #register(route: CompiledRoute): void {
    const { config } = route
    const methods = config.methods.length === 0 ? null : (config.methods as FindMyWay.HTTPMethod[])
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
          this.router.on(methods ?? ANY_METHOD, pattern, options, noop, entry)
        }
      }
    }
  }

  /** Route for a normalised path, or null. */
  match(method: string, normalisedPath: string, host: string): { entry: RouteEntry; params: Record<string, string | undefined> } | null {
    const found = this.router.find(method as FindMyWay.HTTPMethod, normalisedPath, { host })
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
