// A document's security requirements → the policies that enforce them. OAuth 2.0, OpenID Connect
// and HTTP bearer schemes become the jwt policy with the operation's scopes; apiKey schemes the
// api-key policy with the header or query parameter the document names. What Gatehouse cannot
// enforce faithfully is refused at load rather than enforced loosely.
import type { OperationModel, SecuritySchemeModel } from '../../openapi/model.ts'
import { KEY_QUERY_PARAMS } from '../../policies/api-key/schema.ts'
import type { PathSegment } from '../issues.ts'
import type { ApiConfig } from '../types.ts'

const KEY_QUERY_NAMES: ReadonlySet<string> = new Set(KEY_QUERY_PARAMS)

export interface SecurityPlan {
  /** Policy name → settings (before schema defaults) and where in the file they were configured. */
  policies: Record<string, { settings: Record<string, unknown>; path: PathSegment[] }>
  problems: Array<{ path: PathSegment[] | 'spec'; message: string }>
}

export interface SecurityContext {
  /** The API's settings that security depends on. */
  api: Pick<ApiConfig, 'security' | 'scopeMatch'>
  apiIndex: number
  schemes: Record<string, SecuritySchemeModel>
  /** The file has a keyManager section: OAuth schemes default to trusting it. */
  hasKeyManager: boolean
}

export function planSecurity(operation: OperationModel, ctx: SecurityContext): SecurityPlan {
  const plan: SecurityPlan = { policies: {}, problems: [] }
  const alternatives = operation.security
  // No requirement, or an empty alternative ({}): anonymous access is allowed.
  if (alternatives.length === 0 || alternatives.some((alternative) => Object.keys(alternative).length === 0)) return plan
  if (alternatives.length === 1) {
    for (const [scheme, scopes] of Object.entries(alternatives[0])) addScheme(plan, scheme, scopes, ctx.api.scopeMatch, ctx)
    return plan
  }
  // Several alternatives: enforceable when they all name the same single scheme and each asks for
  // at most one scope — "api_a.r or api_a.w" is then one any-of scope list.
  const names = new Set(alternatives.flatMap((alternative) => Object.keys(alternative)))
  const single = alternatives.every((alternative) => Object.keys(alternative).length === 1)
  if (names.size === 1 && single) {
    const scheme = [...names][0]
    const lists = alternatives.map((alternative) => alternative[scheme])
    if (lists.some((list) => list.length === 0)) {
      addScheme(plan, scheme, [], 'all', ctx)
      return plan
    }
    if (lists.every((list) => list.length === 1)) {
      addScheme(plan, scheme, [...new Set(lists.flat())], 'any', ctx)
      return plan
    }
  }
  plan.problems.push({ path: 'spec', message: `${operation.method} ${operation.pathTemplate}: security alternatives ${JSON.stringify(alternatives)} cannot be enforced; Gatehouse enforces one requirement (all of its schemes), or alternatives of one scheme with one scope each` })
  return plan
}

function addScheme(plan: SecurityPlan, name: string, scopes: string[], scopeMatch: 'all' | 'any', ctx: SecurityContext): void {
  const scheme = ctx.schemes[name]
  const configured = ctx.api.security[name]
  const base: PathSegment[] = ['apis', ctx.apiIndex, 'security', name]
  if (scheme === undefined) {
    plan.problems.push({ path: 'spec', message: `security requirement names the scheme "${name}", which the document does not define` })
    return
  }
  if (scheme.type === 'apiKey') {
    if (configured?.jwt !== undefined) {
      plan.problems.push({ path: [...base, 'jwt'], message: `the document's scheme "${name}" is an apiKey scheme: its settings go under api-key, not jwt` })
      return
    }
    const given = configured?.['api-key']
    if (given !== undefined && ('header' in given || 'queryParam' in given)) {
      plan.problems.push({ path: [...base, 'api-key'], message: 'where the key is sent comes from the document; remove header and queryParam here' })
      return
    }
    const settings: Record<string, unknown> = given === undefined ? {} : structuredClone(given)
    if (scheme.in === 'header') settings.header = scheme.name
    else if (scheme.in === 'query' && scheme.name !== undefined && KEY_QUERY_NAMES.has(scheme.name)) settings.queryParam = scheme.name
    else {
      const where = scheme.in === 'query' ? `query parameter "${scheme.name}" (accepted: ${KEY_QUERY_PARAMS.join(', ')}, which the access log redacts)` : `${scheme.in ?? 'unknown place'} "${scheme.name}"`
      plan.problems.push({ path: 'spec', message: `apiKey scheme "${name}" sends the key in a ${where}; Gatehouse reads keys from a header or one of the redacted query parameters` })
      return
    }
    mergePolicy(plan, 'api-key', settings, [...base, 'api-key'])
    return
  }
  const bearer = scheme.type === 'oauth2' || scheme.type === 'openIdConnect' || (scheme.type === 'http' && scheme.scheme === 'bearer')
  if (!bearer) {
    plan.problems.push({ path: 'spec', message: `scheme "${name}" (${scheme.type}${scheme.scheme === undefined ? '' : ` ${scheme.scheme}`}) cannot be enforced by Gatehouse; use oauth2, openIdConnect, http bearer or apiKey` })
    return
  }
  if (configured?.['api-key'] !== undefined) {
    plan.problems.push({ path: [...base, 'api-key'], message: `the document's scheme "${name}" (${scheme.type}) is enforced by the jwt policy: its settings go under jwt, not api-key` })
    return
  }
  let settings = configured?.jwt
  if (settings === undefined) {
    if (!ctx.hasKeyManager) {
      plan.problems.push({ path: base, message: `the document's scheme "${name}" needs jwt settings here (e.g. jwt: { issuers: [...] }), or a keyManager section to trust by default` })
      return
    }
    settings = { issuers: [{ keyManager: true }] }
  }
  if ('scopes' in settings || 'scopeMatch' in settings) {
    plan.problems.push({ path: [...base, 'jwt'], message: 'scopes come from the document; remove scopes and scopeMatch here' })
    return
  }
  mergePolicy(plan, 'jwt', { ...structuredClone(settings), scopes, scopeMatch }, [...base, 'jwt'])
}

function mergePolicy(plan: SecurityPlan, policy: string, settings: Record<string, unknown>, path: PathSegment[]): void {
  if (plan.policies[policy] !== undefined) {
    plan.problems.push({ path, message: `one operation requires two schemes enforced by the ${policy} policy at once; Gatehouse enforces one per operation` })
    return
  }
  plan.policies[policy] = { settings, path }
}
