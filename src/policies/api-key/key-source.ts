// Reading the API key from the request: the configured header, or (when the route allows it) a
// query parameter. A request that repeats either, or uses both, is refused rather than read one
// way: a gateway and an upstream that picked different copies would check one key and act on
// another.
import type { RequestContext } from '../../kit/context.ts'
import { queryParamName } from '../../kit/query-param.ts'
import type { Refusals } from './refusals.ts'

export interface KeySourceRules {
  /** Lower-case name of the key header. */
  header: string
  /** Lower-case name of the query parameter; undefined when keys in the query are not read. */
  queryParam: string | undefined
}

/** The presented key, or a thrown refusal. A key read from the query is removed from the upstream path. */
export function readApiKey(ctx: RequestContext, rules: KeySourceRules, refusals: Refusals): string {
  // The raw list, not node's header object: that one keeps only the first of repeated fields.
  const raw = ctx.request.raw.rawHeaders
  const wanted = rules.header
  let fromHeader: string | undefined
  for (let i = 0; i < raw.length; i += 2) {
    const name = raw[i]
    if (name.length !== wanted.length || name.toLowerCase() !== wanted) continue
    if (fromHeader !== undefined) throw refusals.repeatedHeader
    fromHeader = raw[i + 1]
  }
  const param = rules.queryParam
  const query = ctx.request.query
  const inQuery = param === undefined || query === '' ? 0 : countParam(query, param)
  if (fromHeader !== undefined && inQuery > 0) throw refusals.headerAndQuery
  if (fromHeader !== undefined) {
    if (fromHeader === '') throw refusals.missing
    return fromHeader
  }
  if (inQuery === 0 || param === undefined) throw refusals.missing
  if (inQuery > 1) throw refusals.repeatedQuery
  const value = paramValue(query, param)
  ctx.upstream.path = withoutParam(ctx.upstream.path, param)
  if (value === undefined) throw refusals.invalid
  if (value === '') throw refusals.missing
  return value
}

function countParam(query: string, param: string): number {
  // Cheap pre-check: a query that cannot name the parameter skips the split.
  if (query.indexOf('%') === -1 && !query.toLowerCase().includes(param)) return 0
  let count = 0
  for (const part of query.split('&')) if (queryParamName(part) === param) count++
  return count
}

/** The decoded value; undefined when it is not valid percent-encoding. */
function paramValue(query: string, param: string): string | undefined {
  for (const part of query.split('&')) {
    if (queryParamName(part) !== param) continue
    const eq = part.indexOf('=')
    if (eq === -1) return ''
    try {
      return decodeURIComponent(part.slice(eq + 1).replaceAll('+', ' '))
    } catch {
      return undefined
    }
  }
  return undefined
}

/** The path with every `param` parameter removed (and the `?` when nothing is left). */
export function withoutParam(pathWithQuery: string, param: string): string {
  const start = pathWithQuery.indexOf('?')
  if (start === -1) return pathWithQuery
  const kept = pathWithQuery.slice(start + 1).split('&').filter((part) => queryParamName(part) !== param)
  return kept.length === 0 ? pathWithQuery.slice(0, start) : `${pathWithQuery.slice(0, start)}?${kept.join('&')}`
}
