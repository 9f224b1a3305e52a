import type { FailureLimit } from '../../kit/failure-throttle.ts'

/** Query parameter names the access log redacts (observability/redact-query.ts): only these may carry a key. */
export const KEY_QUERY_PARAMS = ['api_key', 'apikey', 'key'] as const

/** Settings of the api-key policy, after defaults are applied. */
export interface ApiKeySettings {
  header: string
  queryParam?: (typeof KEY_QUERY_PARAMS)[number]
  hideCredentials: boolean
  identityHeader: string
  /** Refusals per client address; `maxFailures: 0` turns the limit off. */
  failureLimit: FailureLimit
}

/** RFC 9110 §5.6.2 token: the syntax of header field names. */
const TOKEN_PATTERN = "^[!#$%&'*+.^_`|~0-9A-Za-z-]+$"

export const apiKeySchema = {
  type: 'object',
  description: 'Lets a route through only with the API key of a known, active consumer, and tells the upstream who the consumer is.',
  additionalProperties: false,
  properties: {
    header: { type: 'string', pattern: TOKEN_PATTERN, default: 'X-API-Key', description: 'Request header carrying the key.' },
    queryParam: {
      type: 'string',
      enum: KEY_QUERY_PARAMS,
      description: 'Also accept the key in this query parameter (one the access log redacts). It is removed from the path sent upstream.',
    },
    hideCredentials: { type: 'boolean', default: true, description: 'Remove the key header before forwarding, so the upstream never sees the key.' },
    identityHeader: {
      type: 'string',
      pattern: TOKEN_PATTERN,
      default: 'X-Consumer-Id',
      description: 'Header set on the upstream request to the consumer id. Whatever the client sent under this name is removed first.',
    },
    failureLimit: {
      type: 'object',
      description: 'Requests this policy refuses (no key, an unknown or revoked key, a suspended consumer\'s key), counted per client address: past `maxFailures` within `windowSeconds` of the first one, every request from that address is refused with 429 GH_ERR_AUTH_TOO_MANY_FAILURES (and Retry-After) until the window ends, whatever key it carries. Counted per process; routes with the same limit share one count.',
      additionalProperties: false,
      default: {},
      properties: {
        maxFailures: { type: 'integer', minimum: 0, maximum: 1_000_000, default: 100, description: 'Refusals allowed per client address within the window; 0 turns the limit off.' },
        windowSeconds: { type: 'integer', minimum: 1, maximum: 3600, default: 60, description: 'Length of the window, counted from the address\'s first refusal.' },
      },
    },
  },
} as const
