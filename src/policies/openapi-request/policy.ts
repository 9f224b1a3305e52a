import { GatehouseError } from '../../core/errors/gatehouse-error.ts'
import type { RequestContext, ResponseHead } from '../../kit/context.ts'
import type { PolicyDefinition, PolicyEnvironment, PolicyHandlers } from '../../kit/policy.ts'
import { compileRequestValidator, compileResponseValidator, createSpecAjv, type ValidationIssue } from '../../openapi/validation/index.ts'
import type { ApiSpec } from '../../openapi/model.ts'
import { openApiRequestSchema, type OpenApiRequestSettings } from './schema.ts'

export const openApiRequestPolicy: PolicyDefinition<OpenApiRequestSettings> = {
  name: 'openapi-request',
  description: 'Checks each request against its operation in the API\'s OpenAPI document: parameters, content type and body.',
  schema: openApiRequestSchema,
  internal: true,
  create(settings, env) {
    const handlers: PolicyHandlers = {}
    if (settings.responses !== 'off') handlers.inspectResponse = responseInspector(settings, env.log)
    if (!settings.validateRequests) return handlers
    const validator = compileRequestValidator(settings.operation, { ajv: ajvFor(settings.spec) })
    const rename = Object.entries(settings.renamedParams)
    const bodyRequired = settings.operation.requestBody?.required === true
    const maxBodyBytes = settings.maxBodyBytes
    const where = `${settings.operation.method} ${settings.operation.pathTemplate}`
    const check = (ctx: RequestContext, body: Buffer | undefined): void => {
      const request = ctx.request
      const issues = validator.validate({ method: request.method, pathParams: rename.length === 0 ? request.params : renamed(request.params, rename), query: request.query, headers: request.headers, body })
      if (issues.length > 0) throw invalid(issues, where)
    }
    return {
      ...handlers,
      transformRequest: function validateRequest(ctx: RequestContext): void | Promise<void> {
        const headers = ctx.request.headers
        const hasBody = ctx.request.hasBody
        const contentProblem = validator.checkContentType(headers['content-type'], hasBody)
        if (contentProblem !== undefined) throw new GatehouseError('GH_ERR_UNSUPPORTED_MEDIA_TYPE', `${where}: ${contentProblem}`)
        // The validator cannot tell an absent body from an unread one: a required body is checked here.
        if (!hasBody && bodyRequired) throw invalid([{ location: 'body', message: 'is required' }], where)
        if (!validator.needsBody || !hasBody) {
          check(ctx, undefined)
          return
        }
        // The body is held and parsed on the event loop: bounded tighter than what is merely streamed.
        if (ctx.maxBodySize > maxBodyBytes) ctx.maxBodySize = maxBodyBytes
        return ctx.readBody().then((body) => check(ctx, body))
      },
    }
  },
}

/**
 * One ajv instance per loaded document: its operations share compiled schemas, and a reload (a
 * new document object) starts afresh.
 */
const ajvBySpec = new WeakMap<ApiSpec, ReturnType<typeof createSpecAjv>>()

function ajvFor(spec: ApiSpec): ReturnType<typeof createSpecAjv> {
  let ajv = ajvBySpec.get(spec)
  if (ajv === undefined) {
    ajv = createSpecAjv()
    ajvBySpec.set(spec, ajv)
  }
  return ajv
}

/**
 * Response validation, for development: `log` reports each mismatch and lets the response through;
 * `enforce` replaces it with 502 GH_ERR_RESPONSE_INVALID.
 */
function responseInspector(settings: OpenApiRequestSettings, log: PolicyEnvironment['log']): NonNullable<PolicyHandlers['inspectResponse']> {
  const validator = compileResponseValidator(settings.operation, { ajv: ajvFor(settings.spec) })
  const where = `${settings.operation.method} ${settings.operation.pathTemplate}`
  const enforce = settings.responses === 'enforce'
  return function validateResponse(ctx: RequestContext, head: ResponseHead, body: Buffer): void {
    const issues = validator.validate(head.status, head.headers.get('content-type'), body.length === 0 ? undefined : body)
    if (issues.length === 0) return
    log?.('openapi.response_invalid', { api: settings.api, operation: where, status: head.status, correlationId: ctx.request.correlationId, errors: issues })
    if (enforce) {
      const first = issues[0]
      throw new GatehouseError('GH_ERR_RESPONSE_INVALID', `${where}: the upstream's ${head.status} response does not match the document: ${first.location}: ${first.message}`, { extra: { errors: issues } })
    }
  }
}

function renamed(params: Readonly<Record<string, string | undefined>>, rename: Array<[string, string]>): Record<string, string | undefined> {
  const result: Record<string, string | undefined> = { ...params }
  for (const [routerName, documentName] of rename) {
    result[documentName] = result[routerName]
    delete result[routerName]
  }
  return result
}

function invalid(issues: readonly ValidationIssue[], where: string): GatehouseError {
  const first = issues[0]
  const more = issues.length > 1 ? ` (and ${issues.length - 1} more)` : ''
  return new GatehouseError('GH_ERR_REQUEST_INVALID', `${where}: ${first.location}: ${first.message}${more}`, { extra: { errors: issues } })
}
