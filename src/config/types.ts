// The shape of a loaded gatehouse.yaml after validation and defaults. The JSON Schema in
// schema.ts describes the same shape field by field (with descriptions and defaults); this file is
// what the rest of the code programs against.

export interface TlsConfig {
  /** PEM certificate chain file, relative to the config file. */
  cert: string
  /** PEM private key file, relative to the config file. */
  key: string
}

export interface ListenerConfig {
  name: string
  protocol: 'http' | 'https'
  host: string
  port: number
  tls?: TlsConfig
}

export interface AdminConfig {
  host: string
  port: number
  /** Bearer token for the admin API; required when `host` is not a loopback address. */
  token?: string
}

export interface ServerLimits {
  /** Maximum total size of the request line and headers (bytes); larger → 431. */
  maxHeaderSize: number
  /** Default maximum request body (bytes) for routes without a request-size policy; larger → 413. */
  maxBodySize: number
  /** Time allowed to receive the complete request head (ms); slower → 408 and close. */
  headersTimeoutMs: number
  /** Time allowed to receive the whole request including body (ms). */
  requestTimeoutMs: number
  /** Idle keep-alive connections are closed after this long (ms). */
  keepAliveTimeoutMs: number
  /** Concurrent client connections per worker; excess connections are refused. */
  maxConnections: number
}

export interface ForwardingConfig {
  /** CIDRs of proxies whose X-Forwarded-* / Forwarded headers are trusted. Empty: none are. */
  trustedProxies: string[]
  /** Add a `Via` header on requests and responses. */
  via: boolean
  /** Add RFC 7239 `Forwarded` in addition to X-Forwarded-*. */
  forwarded: boolean
}

export interface AccessLogConfig {
  enabled: boolean
  /** `stdout` or a file path (relative to the config file). */
  destination: string
}

export interface ObservabilityConfig {
  accessLog: AccessLogConfig
  /** Log level of the process log (pino). */
  logLevel: 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'trace' | 'silent'
  metrics: boolean
}

export interface TargetConfig {
  /** `http://host:port` (https targets are not yet supported by the fast upstream client). */
  url: string
  weight: number
}

export interface ActiveHealthCheckConfig {
  path: string
  intervalMs: number
  timeoutMs: number
  healthyThreshold: number
  unhealthyThreshold: number
  /** Status codes counted as healthy. */
  expectStatus: number[]
}

export interface PassiveHealthCheckConfig {
  /** Consecutive failures (connect errors, timeouts, 5xx) that eject a target. */
  consecutiveFailures: number
  /** How long an ejected target stays out of rotation (ms). */
  ejectMs: number
}

export interface UpstreamTimeouts {
  connectMs: number
  /** Time from the request being sent until the response head arrives. */
  headersMs: number
  /** Maximum idle time between two body chunks, in either direction. */
  bodyMs: number
}

export interface UpstreamConfig {
  name: string
  targets: TargetConfig[]
  balancing: 'round-robin' | 'least-connections'
  /** Maximum open connections per target. */
  poolSize: number
  /** Requests waiting for a connection per target; beyond it → 503. */
  queueSize: number
  /** Idle pooled connections are closed after this long (ms). */
  keepAliveMs: number
  timeouts: UpstreamTimeouts
  /** Extra attempts on another target, for idempotent methods, before any byte reached the client. */
  retries: number
  healthCheck: { active?: ActiveHealthCheckConfig; passive: PassiveHealthCheckConfig }
}

/** Policy settings by policy name (the policy's folder name), validated by that policy's schema. */
export type PolicySettings = Record<string, unknown>

export interface RouteConfig {
  name: string
  /** Host names (exact or `*.example.com`); empty: any host. */
  hosts: string[]
  /** Paths; `:param` segments allowed. */
  paths: string[]
  /** `prefix`: the path and everything below it (whole segments only); `exact`: the path only. */
  match: 'prefix' | 'exact'
  /** Empty: every method. */
  methods: string[]
  /** Remove the matched path prefix before forwarding. */
  stripPath: boolean
  /** Send the client's Host upstream instead of the target's. */
  preserveHost: boolean
  /** Name under `upstreams`; '' for a route whose policies always answer (an all-mocked API). */
  upstream: string
  policies: PolicySettings
  /** With stripPath: how many leading segments to remove (an API's base path), instead of the whole matched path. */
  stripSegments?: number
  /** The API (under `apis`) this route was generated from. */
  api?: string
}

export interface ApiOperationConfig {
  /** Undefined: as the API says. */
  mock?: boolean
  mockStatus?: number
  /** Undefined: as the API's validation.requests says. */
  validateRequests?: boolean
  policies: PolicySettings
}

export interface ApiSecuritySchemeConfig {
  jwt?: Record<string, unknown>
  'api-key'?: Record<string, unknown>
}

/** An API declared by its OpenAPI / Swagger document; expanded into routes at load. */
export interface ApiConfig {
  name: string
  /** Absolute path of the document. */
  spec: string
  /** Undefined only when every operation is mocked. */
  upstream?: string
  /** Overrides the document's base path when set. */
  basePath?: string
  stripBasePath: boolean
  hosts: string[]
  preserveHost: boolean
  allowRemoteRefs: boolean
  security: Record<string, ApiSecuritySchemeConfig>
  scopeMatch: 'all' | 'any'
  validation: { requests: boolean; maxBodyBytes: number; responses: 'off' | 'log' | 'enforce' }
  mock: boolean
  /** By operationId. */
  operations: Record<string, ApiOperationConfig>
  policies: PolicySettings
}

export interface GatehouseConfig {
  /** Absolute path of the file this config came from (for relative paths and messages). */
  source: string
  workers: number | 'auto'
  listeners: ListenerConfig[]
  admin: AdminConfig
  limits: ServerLimits
  forwarding: ForwardingConfig
  observability: ObservabilityConfig
  shutdown: { drainTimeoutMs: number }
  upstreams: Record<string, UpstreamConfig>
  routes: RouteConfig[]
  /** APIs declared by their documents; their routes are part of `routes` once the file is loaded. */
  apis: ApiConfig[]
  /** Policies applied to every route; a route's own settings for the same policy replace these. */
  policies: PolicySettings
  /** The OAuth 2.0 authorization server; null when the section is absent (off). */
  keyManager: KeyManagerConfig | null
  /** Consumers declared in the file; more may be kept in the key manager's store. */
  consumers: ConsumerConfig[]
  /** How often (seconds) a running gateway checks the store for changed consumers and keys. */
  consumerRefreshSeconds: number
}

export type KeyManagerStoreConfig = { type: 'memory' } | { type: 'sqlite'; path: string }

export interface TrustedIssuerConfig {
  /** Compared exactly with an assertion's `iss`. */
  issuer: string
  /** JWK Set URL; exactly one of `jwksUri` and `certificates` is set. */
  jwksUri?: string
  /** PEM files (absolute paths) by kid. */
  certificates?: Record<string, string>
  /** Extra accepted `aud` values for this issuer's assertions. */
  audience: string[]
}

export interface KeyManagerConfig {
  /** Issuer identifier (`iss`), explicit or derived from the first listener. */
  issuer: string
  /** Path prefix of the endpoints, e.g. `/oauth2` (no trailing slash). */
  basePath: string
  /** A relative sqlite path is resolved against the config file's directory. */
  store: KeyManagerStoreConfig
  /** Digest key for client secrets and refresh tokens; null: generated and kept beside the store. */
  secretPepper: string | null
  signing: { algorithm: 'RS256' | 'PS256' | 'ES256' | 'EdDSA'; rotationDays: number; publishAheadSeconds: number }
  tokens: { accessTokenTtlSeconds: number; refreshTokenTtlSeconds: number; persist: boolean; audience: string[] }
  passwordHashing: { N: number; r: number; p: number }
  assertions: { maxLifetimeSeconds: number; clockSkewSeconds: number }
  trustedIssuers: TrustedIssuerConfig[]
  /** Bearer token of the client registry API (falls back to `admin.token`). */
  adminToken: string
  throttle: { maxFailures: number; windowSeconds: number }
}

export interface ConsumerApiKeyConfig {
  /** HMAC-SHA-256 of the key under the server pepper (hex); the key itself is not kept. */
  digest: string
  label: string
}

export interface ConsumerConfig {
  id: string
  name: string
  status: 'active' | 'suspended'
  apiKeys: ConsumerApiKeyConfig[]
  clientIds: string[]
}
