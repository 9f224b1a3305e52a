import { GatehouseError } from '../../core/errors/gatehouse-error.ts'
import type { RequestContext } from '../../kit/context.ts'
import type { PolicyDefinition } from '../../kit/policy.ts'
import { requestSizeSchema, type RequestSizeSettings } from './schema.ts'

export const requestSizePolicy: PolicyDefinition<RequestSizeSettings> = {
  name: 'request-size',
  description: 'Rejects request bodies larger than a limit, before reading them when Content-Length says so.',
  schema: requestSizeSchema,
  create(settings) {
    const maxBytes = settings.maxBytes
    return {
      onRequest: function limitRequestSize(ctx: RequestContext): void {
        const declared = ctx.request.headers['content-length']
        // node:http has already refused malformed or conflicting Content-Length values, so the
        // header is a plain decimal here. Refusing now means the body is never read at all.
        if (declared !== undefined && Number(declared) > maxBytes) {
          throw new GatehouseError('GH_ERR_BODY_TOO_LARGE', `Request body of ${declared} bytes exceeds the limit of ${maxBytes} bytes for this route`)
        }
        // Chunked bodies have no declared length: the proxy counts bytes while streaming.
        ctx.maxBodySize = maxBytes
      },
    }
  },
}
