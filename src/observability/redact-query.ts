// Credentials sent in the query string (RFC 6750 §2.3 `access_token`, API keys) must never reach
// the access log. Parameter names are compared after percent-decoding and case folding, because
// the policies that read them decode too: `access%5Ftoken` is still a token.

import { queryParamName } from '../kit/query-param.ts'

export const SENSITIVE_QUERY_PARAMS: ReadonlySet<string> = new Set([
  'access_token', 'api_key', 'apikey', 'key', 'token', 'client_secret', 'password',
  // The key manager's credentials: it refuses them in a URL, but the refused request is logged.
  'refresh_token', 'client_assertion', 'assertion', 'code_verifier',
])

export const REDACTED = '***'

// Cheap pre-check: a query that cannot hold a sensitive name skips the split entirely.
const MAYBE_SENSITIVE = /token|key|secret|password|assertion|verifier|%|\+/i

/** `pathWithQuery` with the values of sensitive query parameters replaced by `***`. */
export function redactQuery(pathWithQuery: string): string {
  const queryStart = pathWithQuery.indexOf('?')
  if (queryStart === -1) return pathWithQuery
  if (!MAYBE_SENSITIVE.test(pathWithQuery)) return pathWithQuery
  const parts = pathWithQuery.slice(queryStart + 1).split('&')
  let changed = false
  for (let i = 0; i < parts.length; i++) {
    const part = parts[i]
    const eq = part.indexOf('=')
    if (eq === -1) continue
    const name = part.slice(0, eq)
    if (SENSITIVE_QUERY_PARAMS.has(queryParamName(name))) {
      parts[i] = name + '=' + REDACTED
      changed = true
    }
  }
  return changed ? pathWithQuery.slice(0, queryStart + 1) + parts.join('&') : pathWithQuery
}
