// Values for the headers a response declares, so a client sees them in a mock answer too.
import type { ResponseModel } from '../model.ts'
import { declaredExample, exampleFromSchema } from './example-from-schema.ts'
import { headerValue } from './serialise.ts'

/**
 * Headers the mock does not take from the description: framing it computes itself (the body is
 * fixed), the content type it negotiates, and hop-by-hop headers that describe a connection.
 */
const NOT_DECLARABLE = new Set([
  'content-length', 'content-type', 'transfer-encoding', 'connection', 'keep-alive', 'proxy-connection',
  'te', 'trailer', 'upgrade', 'proxy-authenticate', 'proxy-authorization',
])
const TOKEN = /^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/

/** Lower-case names → values; with generation off only values written in the header's schema are used. */
export function declaredHeaders(response: ResponseModel, generate: boolean): Record<string, string> {
  const headers: Record<string, string> = {}
  for (const [name, header] of Object.entries(response.headers)) {
    const lower = name.toLowerCase()
    if (NOT_DECLARABLE.has(lower) || !TOKEN.test(name)) continue
    const value = headerValue(generate ? exampleFromSchema(header.schema) : declaredExample(header.schema).value)
    if (value !== undefined) headers[lower] = value
  }
  return headers
}
