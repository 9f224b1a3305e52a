// application/x-www-form-urlencoded bodies of the OAuth endpoints (RFC 6749 §3.2, RFC 7009 §2.1,
// RFC 7662 §2.1), read once per request into a map.
import type { IncomingMessage, ServerResponse } from 'node:http'
import { OAuthError } from '../oauth-error.ts'
import { BodyTooLargeError, mediaTypeOf, readBody } from './read-body.ts'

/** Forms are a handful of parameters; a JWT assertion is the largest thing one holds. */
export const MAX_FORM_BYTES = 16 * 1024

export type FormParameters = ReadonlyMap<string, string>

/**
 * The parameters of a form body. Refuses (invalid_request) another media type, a parameter given
 * twice (RFC 6749 §3.1) and anything in the query string: the endpoints take parameters from the
 * body only, so credentials never end up in URLs and logs (RFC 6749 §3.2, OAUTH-01).
 */
export async function readForm(req: IncomingMessage, res: ServerResponse, expectContinue: boolean): Promise<FormParameters> {
  const url = req.url ?? ''
  const query = url.indexOf('?')
  if (query !== -1 && query < url.length - 1) {
    throw new OAuthError('invalid_request', 'parameters belong in the form body, not in the URL query')
  }
  if (mediaTypeOf(req) !== 'application/x-www-form-urlencoded') {
    throw new OAuthError('invalid_request', 'the body must be application/x-www-form-urlencoded')
  }
  let body: Buffer
  try {
    body = await readBody(req, res, expectContinue, MAX_FORM_BYTES)
  } catch (error) {
    if (error instanceof BodyTooLargeError) throw new OAuthError('invalid_request', error.message, { status: 413, headers: { connection: 'close' } })
    throw error
  }
  return parseForm(body.toString('utf8'))
}

export function parseForm(text: string): FormParameters {
  const parameters = new Map<string, string>()
  const seen = new Set<string>()
  for (const [name, value] of new URLSearchParams(text)) {
    if (seen.has(name)) throw new OAuthError('invalid_request', `parameter ${JSON.stringify(name.slice(0, 64))} is given more than once`)
    seen.add(name)
    // RFC 6749 §3.1: a parameter sent without a value is treated as omitted.
    if (value !== '') parameters.set(name, value)
  }
  return parameters
}
