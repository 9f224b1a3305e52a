import type { VerificationKey } from '../jose/verification-key.ts'
import type { ConsumerDirectory } from './consumers.ts'
import type { RequestContext, ResponseHead, RequestSummary } from './context.ts'

export type MaybePromise<T> = T | Promise<T>

/** Largest upstream response body buffered for inspectResponse handlers (1 MiB). */
export const RESPONSE_INSPECTION_LIMIT = 1024 * 1024

/**
 * Handlers a policy instance offers, one per phase it takes part in. A request-phase handler
 * rejects a request by throwing a GatehouseError, or answers it with `ctx.respond()`.
 */
export interface PolicyHandlers {
  onRequest?: (ctx: RequestContext) => MaybePromise<void>
  authenticate?: (ctx: RequestContext) => MaybePromise<void>
  authorize?: (ctx: RequestContext) => MaybePromise<void>
  limit?: (ctx: RequestContext) => MaybePromise<void>
  transformRequest?: (ctx: RequestContext) => MaybePromise<void>
  /** Runs before the response head is written; may change status and headers. Synchronous. */
  onResponse?: (ctx: RequestContext, head: ResponseHead) => void
  /**
   * Sees the whole upstream response before any of it reaches the client; the gateway buffers
   * responses up to RESPONSE_INSPECTION_LIMIT bytes for it (larger ones pass unseen). Throwing a
   * GatehouseError replaces the response with that error. Synchronous.
   */
  inspectResponse?: (ctx: RequestContext, head: ResponseHead, body: Buffer) => void
  /** Runs after the response ended. Read-only; must not throw. */
  onLog?: (ctx: RequestContext, summary: RequestSummary) => void
}

/** Services a policy may use when it is compiled (at load, never per request). */
export interface PolicyEnvironment {
  /** Directory of the config file, for policies that read files named in their settings. */
  configDir: string
  /** Route the policy instance is compiled for; `undefined` for global policies. */
  routeName: string | undefined
  /** Consumers from the config file and the store; absent where the caller has none to offer. */
  consumers?: ConsumerDirectory
  /** The process log, for policies that report at run time (e.g. a response not matching its document). */
  log?: (event: string, fields: object) => void
  /** This process's own key manager, when the config has a `keyManager` section. */
  keyManager?: OwnKeyManager
}

/**
 * What a policy may ask of the key manager running in the same process: enough to accept its
 * tokens without an HTTP round trip to itself (the jwt policy's `keyManager: true`).
 */
export interface OwnKeyManager {
  /** The `iss` of the tokens it issues. */
  readonly issuer: string
  /** The `aud` of the tokens it issues. */
  readonly audience: readonly string[]
  /** A published signing key by exact kid, from memory (no I/O); undefined for an unknown kid. */
  verificationKey(kid: string | undefined): VerificationKey | undefined
  /** Re-reads keys other processes added (CLI rotation, other workers), at most every few seconds; true when it did. */
  refreshKeys(): Promise<boolean>
}

/**
 * A policy module: its folder name is its config key. `schema` is the JSON Schema of its settings
 * (ajv, with defaults); `create` compiles validated settings into handlers once per route.
 */
export interface PolicyDefinition<Settings = unknown> {
  name: string
  description: string
  schema: Record<string, unknown>
  /** Set up by the gateway itself (e.g. from an API's document); the config file cannot name it. */
  internal?: boolean
  /** Checks that a JSON Schema cannot express; returns problems as messages naming the field. */
  check?: (settings: Settings) => string[]
  create: (settings: Settings, env: PolicyEnvironment) => PolicyHandlers
}
