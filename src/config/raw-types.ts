// The YAML form of gatehouse.yaml as it stands after schema validation and defaults, before the
// loader normalises it into GatehouseConfig (types.ts). Short forms the file may use (a bare target
// URL, `path` instead of `paths`, a single host) are still present here.
import type { RawConsumer } from './normalise-consumers.ts'
import type { AccessLogConfig, ApiConfig, AdminConfig, ForwardingConfig, KeyManagerConfig, ListenerConfig, PassiveHealthCheckConfig, PolicySettings, ServerLimits, TrustedIssuerConfig, UpstreamTimeouts } from './types.ts'

export type RawTarget = string | { url: string; weight: number }

export interface RawActiveHealthCheck {
  path: string
  intervalMs: number
  timeoutMs: number
  healthyThreshold: number
  unhealthyThreshold: number
  /** Status codes and `low-high` ranges. */
  expectStatus: Array<number | string>
}

export interface RawUpstream {
  targets: RawTarget[]
  balancing: 'round-robin' | 'least-connections'
  poolSize: number
  queueSize: number
  keepAliveMs: number
  timeouts: UpstreamTimeouts
  retries: number
  healthCheck: { active?: RawActiveHealthCheck; passive: PassiveHealthCheckConfig }
}

export interface RawRoute {
  name?: string
  hosts: string | string[]
  path?: string
  paths?: string | string[]
  match: 'prefix' | 'exact'
  methods: string[]
  stripPath: boolean
  preserveHost: boolean
  upstream: string
  policies: Record<string, PolicySettings[string] | null>
}

/** `keyManager` as written, defaults filled; optional fields may still be absent. */
export interface RawKeyManager extends Omit<KeyManagerConfig, 'issuer' | 'store' | 'secretPepper' | 'tokens' | 'trustedIssuers' | 'adminToken'> {
  issuer?: string
  store: { type: 'sqlite' | 'memory'; path: string }
  secretPepper?: string
  tokens: Omit<KeyManagerConfig['tokens'], 'audience'> & { audience?: string[] }
  trustedIssuers: Array<Omit<TrustedIssuerConfig, 'audience'> & { audience?: string[] }>
  adminToken?: string
}

/** An `apis` entry as the schema leaves it: `spec` still relative to the config file. */
export type RawApi = ApiConfig

export interface RawConfig {
  workers: number | 'auto'
  listeners: ListenerConfig[]
  admin: AdminConfig
  limits: ServerLimits & { unsafe: boolean }
  forwarding: ForwardingConfig
  observability: { accessLog: AccessLogConfig; logLevel: string; metrics: boolean }
  shutdown: { drainTimeoutMs: number }
  upstreams: Record<string, RawUpstream>
  routes: RawRoute[]
  apis: RawApi[]
  policies: Record<string, PolicySettings[string] | null>
  keyManager?: RawKeyManager
  consumers: RawConsumer[]
  consumerRefreshSeconds: number
}
