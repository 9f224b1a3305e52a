import { GatehouseError } from '../../core/errors/gatehouse-error.ts'
import type { RequestContext, ResponseHead } from '../../kit/context.ts'
import type { PolicyDefinition, PolicyHandlers } from '../../kit/policy.ts'
import { applyHeaderPlan, compileHeaderPlan } from './header-plan.ts'
import { operationProblems } from './header-rules.ts'
import { headersSchema, type HeadersSettings } from './schema.ts'

function settingsProblems(settings: HeadersSettings): string[] {
  return [...operationProblems('request', settings.request), ...operationProblems('response', settings.response)]
}

export const headersPolicy: PolicyDefinition<HeadersSettings> = {
  name: 'headers',
  description: 'Adds, sets, removes and renames request and response header fields.',
  schema: headersSchema,
  check: settingsProblems,
  create(settings) {
    // Validated again here because a bad value would otherwise surface per request, as a crash
    // while writing the head, instead of once at load.
    const problems = settingsProblems(settings)
    if (problems.length > 0) throw new GatehouseError('GH_ERR_CONFIG_INVALID', `headers: ${problems.join('; ')}`)
    const requestPlan = compileHeaderPlan(settings.request)
    const responsePlan = compileHeaderPlan(settings.response)

    // Only the phases with work are returned, so the chain never visits an empty one.
    const handlers: PolicyHandlers = {}
    if (requestPlan !== undefined) {
      handlers.transformRequest = function transformRequestHeaders(ctx: RequestContext): void {
        applyHeaderPlan(requestPlan, ctx.upstream.headers)
      }
    }
    if (responsePlan !== undefined) {
      handlers.onResponse = function transformResponseHeaders(_ctx: RequestContext, head: ResponseHead): void {
        applyHeaderPlan(responsePlan, head.headers)
      }
    }
    return handlers
  },
}
