import { GatehouseError } from '../../core/errors/gatehouse-error.ts'
import type { RequestContext } from '../../kit/context.ts'
import type { PolicyDefinition } from '../../kit/policy.ts'
import { compileMock } from '../../openapi/mock/index.ts'
import { openApiMockSchema, type OpenApiMockSettings } from './schema.ts'

export const openApiMockPolicy: PolicyDefinition<OpenApiMockSettings> = {
  name: 'openapi-mock',
  description: 'Answers an operation from the examples (or schemas) of its responses in the API\'s document, without an upstream.',
  schema: openApiMockSchema,
  internal: true,
  create(settings) {
    const compiled = compileMock(settings.operation, { status: settings.status })
    const where = `${settings.operation.method} ${settings.operation.pathTemplate}`
    const unavailable = compiled.ok ? undefined : new GatehouseError('GH_ERR_MOCK_UNAVAILABLE', `${where}: ${compiled.reason}`)
    const responder = compiled.ok ? compiled.responder : undefined
    const answer = (ctx: RequestContext): void => {
      if (responder === undefined) throw unavailable!
      const headers = ctx.request.headers
      const prefer = headers.prefer
      const { status, headers: answerHeaders, body } = responder.answer(headers.accept, Array.isArray(prefer) ? prefer.join(', ') : prefer)
      ctx.respond({ status, headers: answerHeaders, body: ctx.request.method === 'HEAD' ? undefined : body })
    }
    return {
      transformRequest: function answerFromDocument(ctx: RequestContext): void | Promise<void> {
        // Reading a body nobody needs keeps the connection usable for the client's next request.
        if (ctx.request.hasBody && ctx.body === undefined) return ctx.readBody().then(() => answer(ctx))
        answer(ctx)
      },
    }
  },
}
