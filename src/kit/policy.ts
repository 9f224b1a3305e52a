import type { ConsumerDirectory } from './consumers.ts'
import type { RequestContext, ResponseHead, RequestSummary } from './context.ts'

export type MaybePromise<T> = T | Promise<T>

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
}

/**
 * A policy module: its folder name is its config key. `schema` is the JSON Schema of its settings
 * (ajv, with defaults); `create` compiles validated settings into handlers once per route.
 */
export interface PolicyDefinition<Settings = unknown> {
  name: string
  description: string
  schema: Record<string, unknown>
  /** Checks that a JSON Schema cannot express; returns problems as messages naming the field. */
  check?: (settings: Settings) => string[]
  create: (settings: Settings, env: PolicyEnvironment) => PolicyHandlers
}
