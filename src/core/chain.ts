import type { RequestPhase } from './phases.ts'
import { REQUEST_PHASES } from './phases.ts'
import { GatehouseError } from './errors/gatehouse-error.ts'
import type { PolicyDefinition, PolicyEnvironment, PolicyHandlers } from '../kit/policy.ts'
import type { RequestContext, ResponseHead, RequestSummary } from '../kit/context.ts'

export interface RequestStep {
  policy: string
  phase: RequestPhase
  run: (ctx: RequestContext) => void | Promise<void>
}

/** A route's policies flattened in phase order at load; `null` where a route has nothing to run. */
export interface CompiledChain {
  request: RequestStep[] | null
  onResponse: Array<(ctx: RequestContext, head: ResponseHead) => void> | null
  inspectResponse: Array<(ctx: RequestContext, head: ResponseHead, body: Buffer) => void> | null
  onLog: Array<(ctx: RequestContext, summary: RequestSummary) => void> | null
}

export const EMPTY_CHAIN: CompiledChain = { request: null, onResponse: null, inspectResponse: null, onLog: null }

/** Compiles validated policy settings (name → settings, in config order) into a chain. */
export function compileChain(
  settings: Record<string, unknown>,
  registry: Record<string, PolicyDefinition<unknown>>,
  env: PolicyEnvironment,
): CompiledChain {
  const instances: Array<{ name: string; handlers: PolicyHandlers }> = []
  for (const [name, policySettings] of Object.entries(settings)) {
    const definition = registry[name]
    if (definition === undefined) throw new GatehouseError('GH_ERR_CONFIG_UNKNOWN_FIELD', `unknown policy "${name}"`)
    instances.push({ name, handlers: definition.create(policySettings, env) })
  }
  const request: RequestStep[] = []
  for (const phase of REQUEST_PHASES) {
    for (const { name, handlers } of instances) {
      const handler = handlers[phase]
      if (handler !== undefined) request.push({ policy: name, phase, run: handler })
    }
  }
  const onResponse = instances.flatMap(({ handlers }) => (handlers.onResponse === undefined ? [] : [handlers.onResponse]))
  const onLog = instances.flatMap(({ handlers }) => (handlers.onLog === undefined ? [] : [handlers.onLog]))
  const inspectResponse = instances.flatMap(({ handlers }) => (handlers.inspectResponse === undefined ? [] : [handlers.inspectResponse]))
  return {
    request: request.length === 0 ? null : request,
    onResponse: onResponse.length === 0 ? null : onResponse,
    inspectResponse: inspectResponse.length === 0 ? null : inspectResponse,
    onLog: onLog.length === 0 ? null : onLog,
  }
}

/**
 * Runs request-phase steps in order. Stays synchronous while every step is, so a chain of sync
 * policies costs no promise; returns a promise only once a step returned one. Stops after a step
 * answered the request (ctx.directResponse). Errors come out as GatehouseErrors.
 */
export function runRequestSteps(steps: RequestStep[], ctx: RequestContext, from = 0): Promise<void> | undefined {
  for (let i = from; i < steps.length; i++) {
    const step = steps[i]
    let result: void | Promise<void>
    try {
      result = step.run(ctx)
    } catch (error) {
      throw asPolicyError(error, step)
    }
    if (result !== undefined) {
      return result.then(
        () => (ctx.directResponse === undefined ? runRequestSteps(steps, ctx, i + 1) : undefined),
        (error: unknown) => {
          throw asPolicyError(error, step)
        },
      )
    }
    if (ctx.directResponse !== undefined) return undefined
  }
  return undefined
}

function asPolicyError(error: unknown, step: RequestStep): GatehouseError {
  if (error instanceof GatehouseError) return error
  // The policy's own message may carry internals (keys, queries); only its name goes to the client.
  return new GatehouseError('GH_ERR_POLICY_FAILED', `policy "${step.policy}" failed in phase ${step.phase}`, { cause: error })
}
