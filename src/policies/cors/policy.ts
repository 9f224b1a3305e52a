import { GatehouseError } from '../../core/errors/gatehouse-error.ts'
import type { DirectResponse, RequestContext, ResponseHead } from '../../kit/context.ts'
import type { HeaderList } from '../../kit/header-list.ts'
import type { PolicyDefinition } from '../../kit/policy.ts'
import { corsProblems } from './cors-rules.ts'
import { corsSchema, type CorsSettings } from './schema.ts'

export const corsPolicy: PolicyDefinition<CorsSettings> = {
  name: 'cors',
  description: 'Answers CORS preflights and adds CORS response headers for an exact list of origins.',
  schema: corsSchema,
  check: corsProblems,
  create(settings) {
    const problems = corsProblems(settings)
    if (problems.length > 0) throw new GatehouseError('GH_ERR_CONFIG_INVALID', `cors: ${problems.join('; ')}`)

    const anyOrigin = settings.allowOrigins[0] === '*'
    // Exact string comparison against the serialised origins the config was checked to contain:
    // no prefix, suffix or pattern matching, so look-alikes such as `https://app.example.evil.com`
    // or `https://app.example:8443` never match `https://app.example`.
    const origins = new Set(settings.allowOrigins)
    const methods = new Set(settings.allowMethods)
    const anyHeader = settings.allowHeaders.includes('*')
    const headers = new Set(settings.allowHeaders.map((name) => name.toLowerCase()))
    const credentials = settings.allowCredentials
    const exposed = settings.exposeHeaders.length > 0 ? settings.exposeHeaders.join(', ') : undefined

    // Preflight answers are built once per allowed origin; a preflight only picks one.
    const preflights = new Map<string, DirectResponse>()
    for (const origin of settings.allowOrigins) preflights.set(origin, preflightAnswer(origin, settings))

    // A disallowed header is reported by name; scanning only happens on preflights.
    const firstDisallowedHeader = (requested: string): string | undefined => {
      for (const part of requested.split(',')) {
        const name = part.trim().toLowerCase()
        // Fetch's `*` never covers Authorization: it has to be listed by name.
        if (name !== '' && !headers.has(name) && !(anyHeader && name !== 'authorization')) return name
      }
      return undefined
    }

    return {
      onRequest: function applyCors(ctx: RequestContext): void {
        const origin = ctx.request.headers.origin
        const allowed = origin !== undefined && (anyOrigin || origins.has(origin))
        if (origin !== undefined && ctx.request.method === 'OPTIONS') {
          const requestedMethod = ctx.request.headers['access-control-request-method']
          if (requestedMethod !== undefined) {
            if (!allowed) throw new GatehouseError('GH_ERR_CORS_REJECTED', `Origin '${origin}' is not allowed on this route`)
            if (!methods.has(requestedMethod)) throw new GatehouseError('GH_ERR_CORS_REJECTED', `Method '${requestedMethod}' is not allowed for cross-origin requests on this route`)
            const requestedHeaders = ctx.request.headers['access-control-request-headers']
            const refused = requestedHeaders === undefined ? undefined : firstDisallowedHeader(requestedHeaders)
            if (refused !== undefined) throw new GatehouseError('GH_ERR_CORS_REJECTED', `Header '${refused}' is not allowed for cross-origin requests on this route`)
            ctx.respond(preflights.get(anyOrigin ? '*' : origin) as DirectResponse)
            return
          }
        }
        const out = ctx.responseHeaders
        if (anyOrigin) {
          // The answer is the same for every origin, so caches need no Vary.
          if (origin !== undefined) addGrant(out, '*', credentials, exposed)
          return
        }
        // The answer depends on Origin, including whether it carries the grant at all; without
        // Vary a shared cache could hand one origin's answer to another (Fetch §3.2.5).
        out.add('Vary', 'Origin')
        if (allowed) addGrant(out, origin, credentials, exposed)
      },

      // The policy is the only authority on CORS for the route. An upstream's own grant (a
      // permissive `*` or a reflected Origin) would bypass the allow-list, and a second
      // Access-Control-Allow-Origin field next to ours makes browsers reject the response, so the
      // upstream's Access-Control-* fields are dropped. Ours arrive from ctx.responseHeaders, which
      // the gateway merges after onResponse. Gateway-made answers (a preflight) are left alone.
      onResponse: function dropUpstreamCors(ctx: RequestContext, head: ResponseHead): void {
        if (ctx.directResponse === undefined) removeAccessControlFields(head.headers)
      },
    }
  },
}

function addGrant(out: HeaderList, origin: string, credentials: boolean, exposed: string | undefined): void {
  out.add('Access-Control-Allow-Origin', origin)
  if (credentials) out.add('Access-Control-Allow-Credentials', 'true')
  if (exposed !== undefined) out.add('Access-Control-Expose-Headers', exposed)
}

/** The 204 answer to an accepted preflight; frozen because it is shared by every request. */
function preflightAnswer(origin: string, settings: CorsSettings): DirectResponse {
  const headers: Record<string, string> = { 'Access-Control-Allow-Origin': origin }
  if (origin !== '*') headers.Vary = 'Origin'
  if (settings.allowCredentials) headers['Access-Control-Allow-Credentials'] = 'true'
  headers['Access-Control-Allow-Methods'] = settings.allowMethods.join(', ')
  if (settings.allowHeaders.length > 0) headers['Access-Control-Allow-Headers'] = settings.allowHeaders.join(', ')
  headers['Access-Control-Max-Age'] = String(settings.maxAgeSeconds)
  return Object.freeze({ status: 204, headers: Object.freeze(headers) })
}

const PREFIX = 'access-control-'

/** Removes every `Access-Control-*` field in place, comparing names without allocating. */
function removeAccessControlFields(headers: HeaderList): void {
  const flat = headers.flat
  let write = 0
  for (let read = 0; read < flat.length; read += 2) {
    if (hasAccessControlPrefix(flat[read])) continue
    flat[write] = flat[read]
    flat[write + 1] = flat[read + 1]
    write += 2
  }
  flat.length = write
}

function hasAccessControlPrefix(name: string): boolean {
  if (name.length <= PREFIX.length) return false
  // `| 0x20` lower-cases ASCII letters and leaves '-' as it is; token characters alias nothing else here.
  for (let i = 0; i < PREFIX.length; i++) if ((name.charCodeAt(i) | 0x20) !== PREFIX.charCodeAt(i)) return false
  return true
}
