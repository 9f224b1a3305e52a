// The errors one api-key policy instance answers with, built once when the route is compiled. No
// message carries the presented key or anything derived from it.
import { GatehouseError } from '../../core/errors/gatehouse-error.ts'

export interface Refusals {
  readonly missing: GatehouseError
  readonly invalid: GatehouseError
  readonly suspended: GatehouseError
  readonly repeatedHeader: GatehouseError
  readonly repeatedQuery: GatehouseError
  readonly headerAndQuery: GatehouseError
  /** 429 for a client address past its failure limit, `seconds` until its window ends. */
  tooManyFailures(seconds: number): GatehouseError
}

/**
 * RFC 9110 §11.6.1 asks every 401 to carry a challenge. There is no registered scheme for API
 * keys, so the challenge names one (`ApiKey`) and says where the key goes: `header="X-API-Key"`,
 * plus `query="api_key"` when the route reads the query too.
 */
export function apiKeyChallenge(header: string, queryParam: string | undefined): string {
  return queryParam === undefined ? `ApiKey header="${header}"` : `ApiKey header="${header}", query="${queryParam}"`
}

export function buildRefusals(header: string, queryParam: string | undefined): Refusals {
  const headers = { 'www-authenticate': apiKeyChallenge(header, queryParam) }
  // One error per Retry-After value, made when first needed: a flood of throttled requests then
  // builds no Error (and captures no stack) per request. At most one per second of the window.
  const tooMany: GatehouseError[] = []
  const where = queryParam === undefined ? `the ${header} header` : `the ${header} header or the ${queryParam} query parameter`
  return {
    missing: new GatehouseError('GH_ERR_AUTH_KEY_MISSING', `an API key is required; send it in ${where}`, { headers }),
    invalid: new GatehouseError('GH_ERR_AUTH_KEY_INVALID', 'the API key is not valid', { headers }),
    suspended: new GatehouseError('GH_ERR_AUTH_CONSUMER_SUSPENDED', 'the consumer this API key belongs to is suspended'),
    repeatedHeader: new GatehouseError('GH_ERR_AUTH_BAD_REQUEST', `more than one ${header} header`),
    repeatedQuery: new GatehouseError('GH_ERR_AUTH_BAD_REQUEST', `more than one ${queryParam ?? ''} query parameter`),
    headerAndQuery: new GatehouseError('GH_ERR_AUTH_BAD_REQUEST', `the API key is sent both in the ${header} header and in the ${queryParam ?? ''} query parameter; use one`),
    tooManyFailures(seconds) {
      tooMany[seconds] ??= new GatehouseError('GH_ERR_AUTH_TOO_MANY_FAILURES', `too many requests with a missing or invalid API key from this client address; retry in ${seconds} s`, {
        headers: { 'retry-after': String(seconds) },
      })
      return tooMany[seconds]
    },
  }
}
