// Turns the validated file data (YAML form, defaults filled) into GatehouseConfig: names filled in,
// short forms expanded, methods upper-cased, relative paths resolved against the config directory.
// Elements with schema issues are skipped: the load fails anyway, and the rest still get checked.
import { isAbsolute, resolve } from 'node:path'
import { normaliseApis } from './normalise-apis.ts'
import { normaliseConsumers } from './normalise-consumers.ts'
import { normaliseKeyManager } from './normalise-keymanager.ts'
import { canonicalTarget, expandStatuses, targetUrlProblem, toCidr, unknownMethod } from './check-values.ts'
import type { DraftIssue, PathSegment } from './issues.ts'
import type { RawConfig, RawRoute, RawUpstream } from './raw-types.ts'
import { NAME_MESSAGE, NAME_PATTERN } from './schema-kit.ts'
import { configDefaults } from './validate-schema.ts'
import type { GatehouseConfig, ListenerConfig, RouteConfig, UpstreamConfig } from './types.ts'

export interface NormaliseContext {
  source: string
  configDir: string
  /** True when no issue was found at or below `path`. */
  clean: (path: readonly PathSegment[]) => boolean
  issues: DraftIssue[]
}

export interface Normalised {
  config: GatehouseConfig
  /** Index in the file of each entry of `config.routes` / `config.listeners`. */
  routeIndex: number[]
  listenerIndex: number[]
}

const NAME = new RegExp(NAME_PATTERN)
const STANDARD_STREAMS = new Set(['stdout', 'stderr'])

/** `data` must be an object; sections with schema issues are replaced by their defaults. */
export function normalise(data: Record<string, unknown>, ctx: NormaliseContext): Normalised {
  const raw = withUsableSections(data, ctx)
  const { unsafe: _unsafe, ...limits } = raw.limits
  const listeners = cleanEntries(raw.listeners, ['listeners'], ctx)
  const routes = cleanEntries(raw.routes, ['routes'], ctx)
  const normalisedListeners = listeners.map(([listener]) => normaliseListener(listener, ctx))
  const keyManager = normaliseKeyManager(raw.keyManager, { workers: raw.workers, admin: raw.admin, listeners: normalisedListeners }, ctx)
  const config: GatehouseConfig = {
    source: ctx.source,
    workers: raw.workers,
    listeners: normalisedListeners,
    admin: { ...raw.admin },
    limits,
    forwarding: { ...raw.forwarding, trustedProxies: normaliseProxies(raw.forwarding.trustedProxies, ctx) },
    observability: { ...raw.observability, accessLog: normaliseAccessLog(raw.observability.accessLog, ctx), logLevel: raw.observability.logLevel as GatehouseConfig['observability']['logLevel'] },
    shutdown: { ...raw.shutdown },
    upstreams: normaliseUpstreams(raw.upstreams, ctx),
    routes: routes.map(([route, index]) => normaliseRoute(route, index, ctx)),
    apis: normaliseApis(cleanEntries(raw.apis, ['apis'], ctx), ctx),
    policies: raw.policies as GatehouseConfig['policies'],
    keyManager,
    // After keyManager: it says where the pepper that digests API keys comes from.
    ...normaliseConsumers(raw, keyManager, ctx),
  }
  return { config, routeIndex: routes.map(([, index]) => index), listenerIndex: listeners.map(([, index]) => index) }
}

const REPLACEABLE_SECTIONS = ['workers', 'admin', 'limits', 'forwarding', 'observability', 'shutdown', 'policies'] as const

// Normalising must not trip over a section the schema rejected; its issues are already reported
// and the load will fail, so its defaults stand in while the other sections are checked.
function withUsableSections(data: Record<string, unknown>, ctx: NormaliseContext): RawConfig {
  const defaults = configDefaults()
  const raw: Record<string, unknown> = { ...data }
  for (const section of REPLACEABLE_SECTIONS) if (!ctx.clean([section])) raw[section] = defaults[section]
  if (!Array.isArray(raw.listeners)) raw.listeners = []
  if (!Array.isArray(raw.routes)) raw.routes = []
  if (!Array.isArray(raw.apis)) raw.apis = []
  if (raw.upstreams === null || typeof raw.upstreams !== 'object' || Array.isArray(raw.upstreams)) raw.upstreams = {}
  return raw as unknown as RawConfig
}

function cleanEntries<T>(list: T[], base: PathSegment[], ctx: NormaliseContext): Array<[T, number]> {
  return list.map((item, index): [T, number] => [item, index]).filter(([, index]) => ctx.clean([...base, index]))
}

function normaliseListener(listener: ListenerConfig, ctx: NormaliseContext): ListenerConfig {
  if (listener.tls === undefined) return { ...listener }
  return { ...listener, tls: { cert: resolve(ctx.configDir, listener.tls.cert), key: resolve(ctx.configDir, listener.tls.key) } }
}

function normaliseProxies(entries: string[], ctx: NormaliseContext): string[] {
  const cidrs: string[] = []
  entries.forEach((entry, index) => {
    const cidr = toCidr(entry)
    if (cidr === undefined) ctx.issues.push({ code: 'GH_ERR_CONFIG_INVALID', path: ['forwarding', 'trustedProxies', index], message: 'must be an IP address or a CIDR range like 10.0.0.0/8' })
    else cidrs.push(cidr)
  })
  return cidrs
}

function normaliseAccessLog(log: RawConfig['observability']['accessLog'], ctx: NormaliseContext): RawConfig['observability']['accessLog'] {
  const destination = STANDARD_STREAMS.has(log.destination) || isAbsolute(log.destination) ? log.destination : resolve(ctx.configDir, log.destination)
  return { ...log, destination }
}

function normaliseUpstreams(upstreams: Record<string, RawUpstream>, ctx: NormaliseContext): Record<string, UpstreamConfig> {
  const result: Record<string, UpstreamConfig> = {}
  for (const [name, upstream] of Object.entries(upstreams)) {
    const base = ['upstreams', name]
    if (!NAME.test(name)) ctx.issues.push({ code: 'GH_ERR_CONFIG_INVALID', path: base, at: 'key', message: `upstream name ${NAME_MESSAGE}` })
    if (!ctx.clean(base)) continue
    result[name] = normaliseUpstream(name, upstream, base, ctx)
  }
  return result
}

function normaliseUpstream(name: string, upstream: RawUpstream, base: PathSegment[], ctx: NormaliseContext): UpstreamConfig {
  const targets = upstream.targets.map((target, index) => {
    const given = typeof target === 'string' ? { url: target, weight: 1 } : target
    const path = typeof target === 'string' ? [...base, 'targets', index] : [...base, 'targets', index, 'url']
    const problem = targetUrlProblem(given.url)
    if (problem !== undefined) ctx.issues.push({ code: 'GH_ERR_CONFIG_INVALID', path, message: problem })
    return { url: problem === undefined ? canonicalTarget(given.url) : given.url, weight: given.weight }
  })
  const { active, passive } = upstream.healthCheck
  const result: UpstreamConfig = { ...upstream, name, targets, timeouts: { ...upstream.timeouts }, healthCheck: { passive: { ...passive } } }
  if (active !== undefined) {
    const activeBase = [...base, 'healthCheck', 'active']
    const expectStatus = expandStatuses(active.expectStatus)
    if (expectStatus === undefined) ctx.issues.push({ code: 'GH_ERR_CONFIG_INVALID', path: [...activeBase, 'expectStatus'], message: 'a status range must run from low to high' })
    if (active.timeoutMs > active.intervalMs) ctx.issues.push({ code: 'GH_ERR_CONFIG_INVALID', path: [...activeBase, 'timeoutMs'], message: 'must not exceed intervalMs' })
    result.healthCheck.active = { ...active, expectStatus: expectStatus ?? [] }
  }
  return result
}

function normaliseRoute(route: RawRoute, index: number, ctx: NormaliseContext): RouteConfig {
  const base = ['routes', index]
  if (route.path !== undefined && route.paths !== undefined) ctx.issues.push({ code: 'GH_ERR_CONFIG_INVALID', path: [...base, 'paths'], at: 'key', message: 'give either path or paths, not both' })
  if (route.path === undefined && route.paths === undefined) ctx.issues.push({ code: 'GH_ERR_CONFIG_INVALID', path: [...base, 'paths'], message: 'is required (or path)' })
  const methods: string[] = []
  route.methods.forEach((given, methodIndex) => {
    const method = given.toUpperCase()
    if (unknownMethod(method)) ctx.issues.push({ code: 'GH_ERR_CONFIG_INVALID', path: [...base, 'methods', methodIndex], message: `"${given}" is not a known HTTP method` })
    else if (!methods.includes(method)) methods.push(method)
  })
  return {
    name: route.name ?? `route-${index}`,
    hosts: [route.hosts].flat().map((host) => host.toLowerCase()),
    paths: [route.paths ?? route.path ?? []].flat(),
    match: route.match,
    methods,
    stripPath: route.stripPath,
    preserveHost: route.preserveHost,
    upstream: route.upstream,
    policies: route.policies as RouteConfig['policies'],
  }
}
