import { credentialDigest } from '../../core/credential-digest.ts'
import { GatehouseError } from '../../core/errors/gatehouse-error.ts'
import { JwtError } from '../../jose/jwt-error.ts'
import type { RequestContext } from '../../kit/context.ts'
import type { PolicyDefinition } from '../../kit/policy.ts'
import { readUncheckedToken, requireTokenSyntax, type TokenSourceRules } from './bearer.ts'
import { Challenges } from './challenges.ts'
import { Introspector } from './introspection.ts'
import { compileIssuers, unverifiedIssuer, type CompiledIssuer } from './issuers.ts'
import { jwtProblems } from './jwt-rules.ts'
import { jwtSchema, type JwtSettings } from './schema.ts'
import { TokenCache } from './token-cache.ts'
import { IDENTITY_FIELDS, verifiedIdentity, type VerifiedIdentity } from './verified-identity.ts'

interface ScopeRule {
  readonly scopes: readonly string[]
  readonly refusal: GatehouseError
  /** The method is not allowed with any token. */
  readonly refuseAll: boolean
}

export const jwtPolicy: PolicyDefinition<JwtSettings> = {
  name: 'jwt',
  description: 'Validates access tokens (RFC 6750 Bearer): JWTs locally (RFC 9068), opaque tokens by introspection (RFC 7662); requires scopes per method.',
  schema: jwtSchema,
  check: jwtProblems,
  create(settings, env) {
    const problems = jwtProblems(settings)
    if (problems.length > 0) throw new GatehouseError('GH_ERR_CONFIG_INVALID', `jwt: ${problems.join('; ')}`)

    const sources = settings.tokenSources
    const challenges = new Challenges(settings.realm, sources.header, sources.scheme)
    const rules: TokenSourceRules = {
      header: sources.header.toLowerCase(),
      scheme: sources.scheme.toLowerCase(),
      allowQueryToken: sources.allowQueryToken,
      maxTokenBytes: settings.maxTokenBytes,
    }
    // Starts each JWKS fetch now, so keys are usually there before the first request.
    const issuers = compileIssuers(settings, env)
    const onlyIssuer = issuers.length === 1 ? issuers[0] : undefined
    const byIssuer = new Map(issuers.map((issuer) => [issuer.issuer, issuer]))
    const cache = settings.cache.maxEntries > 0 ? new TokenCache<VerifiedIdentity>(settings.cache.maxEntries) : null
    const removeTokenHeader = settings.forwardAuthorization ? undefined : sources.header
    const identityFields = IDENTITY_FIELDS.filter((field) => settings.identityHeaders[field] !== undefined)
    const identityHeaders = identityFields.map((field) => settings.identityHeaders[field] as string)
    const consumerIdHeader = settings.identityHeaders.consumerId
    const consumers = env.consumers
    const introspector = settings.introspection === undefined ? null : new Introspector(settings.introspection, identityFields, challenges, env.log)
    // With issuers and introspection both set, JWTs are verified here and only the others introspected.
    const introspectAll = introspector !== null && issuers.length === 0

    const issuerOf = (token: string): CompiledIssuer => {
      if (onlyIssuer !== undefined) return onlyIssuer
      const iss = unverifiedIssuer(token)
      if (iss === undefined) throw challenges.invalidToken('malformed')
      const issuer = byIssuer.get(iss)
      if (issuer === undefined) throw challenges.invalidToken('unknown_issuer')
      return issuer
    }

    const admit = (ctx: RequestContext, identity: VerifiedIdentity): void => {
      // The consumer is looked up per request: the directory follows the store, the verdict does not.
      let consumerId = ctx.identity?.consumerId
      if (consumers !== undefined && identity.clientId !== undefined) {
        const consumer = consumers.findByClientId(identity.clientId)
        if (consumer !== undefined) {
          if (consumer.status !== 'active') throw challenges.consumerSuspended
          consumerId = consumer.consumerId
        }
      }
      ctx.identity = consumerId === undefined
        ? { subject: identity.subject, clientId: identity.clientId, scopes: identity.scopes }
        : { subject: identity.subject, clientId: identity.clientId, scopes: identity.scopes, consumerId }
      const headers = ctx.upstream.headers
      if (removeTokenHeader !== undefined) headers.remove(removeTokenHeader)
      for (let i = 0; i < identityHeaders.length; i++) {
        // Whatever the client sent under an identity header's name never reaches the upstream.
        headers.remove(identityHeaders[i])
        const value = identity.headerValues[i]
        if (value !== undefined) headers.add(identityHeaders[i], value)
      }
      if (consumerIdHeader !== undefined) {
        headers.remove(consumerIdHeader)
        if (consumerId !== undefined) headers.add(consumerIdHeader, consumerId)
      }
    }

    const introspect = (ctx: RequestContext, token: string, nowMs: number): Promise<void> | undefined => {
      const checked = (introspector as Introspector).check(token, nowMs)
      if (!(checked instanceof Promise)) {
        admit(ctx, checked)
        return undefined
      }
      return checked.then((identity) => admit(ctx, identity))
    }

    /**
     * Verifies on a cache miss. Synchronous unless keys must be fetched first (the first load, or
     * a refetch for an unknown kid); `mayFetch` allows one such wait per request.
     */
    const verify = (ctx: RequestContext, token: string, digest: string | undefined, nowMs: number, mayFetch: boolean): Promise<void> | undefined => {
      const issuer = issuerOf(token)
      const keys = issuer.keys
      if (!keys.loaded) {
        const loading = mayFetch ? keys.loadNow(nowMs) : undefined
        if (loading === undefined) throw challenges.keysUnavailable(issuer.issuer, keys.retryAfterSeconds(nowMs))
        return loading.then(() => verify(ctx, token, digest, Date.now(), false))
      }
      const generation = keys.generation
      let payload
      try {
        payload = issuer.verify(token, nowMs / 1000).payload
      } catch (error) {
        if (!(error instanceof JwtError)) throw error
        if (error.reason === 'unknown_kid' && mayFetch) {
          // A rotated key the set does not know yet (JWT-16), or a made-up kid: the cooldown
          // decides whether this request may cause a fetch.
          const refetch = keys.refetchForUnknownKid(nowMs)
          if (refetch !== undefined) return refetch.then(() => verify(ctx, token, digest, Date.now(), false))
        }
        throw challenges.invalidToken(error.reason)
      }
      const identity = verifiedIdentity(payload, keys, generation, identityFields, challenges)
      // A token without exp has no end to bound a cached verdict by: it is verified every time.
      if (digest !== undefined && cache !== null && identity.expiresAtMs !== Infinity) cache.set(digest, identity, nowMs)
      admit(ctx, identity)
      return undefined
    }

    const scopeRules = compileScopeRules(settings, challenges)
    const matchAny = settings.scopeMatch === 'any'

    return {
      authenticate: function authenticateJwt(ctx: RequestContext): Promise<void> | undefined {
        // Checked for RFC 6750 syntax only when not found among verified tokens (all of which passed it).
        const token = readUncheckedToken(ctx, rules, challenges)
        const nowMs = Date.now()
        if (introspector !== null && (introspectAll || !isCompactJws(token))) {
          requireTokenSyntax(token, challenges)
          return introspect(ctx, token, nowMs)
        }
        // Refreshes run in the background; checking here keeps them going on cache hits too, so
        // a key removed from the JWKS stops being accepted within refreshSeconds.
        for (let i = 0; i < issuers.length; i++) issuers[i].keys.refreshIfDue(nowMs)
        let digest: string | undefined
        if (cache !== null) {
          digest = credentialDigest(token)
          const hit = cache.get(digest, nowMs)
          if (hit !== undefined) {
            if (hit.generation === hit.keys.generation) {
              admit(ctx, hit)
              return undefined
            }
            cache.delete(digest)
          }
        }
        requireTokenSyntax(token, challenges)
        return verify(ctx, token, digest, nowMs, true)
      },
      authorize: scopeRules === undefined ? undefined : function requireScopes(ctx: RequestContext): void {
        const rule = scopeRules(ctx.request.method)
        if (rule.refuseAll) throw rule.refusal
        const held = ctx.identity?.scopes
        if (held === undefined) throw challenges.missing
        // Exact, case-sensitive membership in the token's space-separated list (JWT-15): `read`
        // is not in `readwrite`, `read:all` or `READ`.
        if (matchAny) {
          for (const scope of rule.scopes) if (held.includes(scope)) return
          throw rule.refusal
        }
        for (const scope of rule.scopes) if (!held.includes(scope)) throw rule.refusal
      },
    }
  },
}

/** Three dot-separated segments: the shape of a JWT; anything else is an opaque token. */
function isCompactJws(token: string): boolean {
  const first = token.indexOf('.')
  if (first === -1) return false
  const second = token.indexOf('.', first + 1)
  return second !== -1 && token.indexOf('.', second + 1) === -1
}

/**
 * Scope rules per method, built at load; undefined when the route requires no scopes. A map that
 * names some methods refuses the others (unless `*` covers them): an unlisted method is more
 * likely an oversight than a wish to let any token through. HEAD falls back to GET.
 */
function compileScopeRules(settings: JwtSettings, challenges: Challenges): ((method: string) => ScopeRule) | undefined {
  const scopes = settings.scopes
  if (scopes === undefined) return undefined
  if (Array.isArray(scopes)) {
    if (scopes.length === 0) return undefined
    const rule = { scopes: Object.freeze([...scopes]), refusal: challenges.insufficientScope(undefined, scopes, settings.scopeMatch), refuseAll: false }
    return () => rule
  }
  const rules = new Map<string, ScopeRule>()
  for (const [name, list] of Object.entries(scopes)) {
    // Methods are written in any case in the config, as route methods are; requests use upper case.
    const method = name.toUpperCase()
    rules.set(method, { scopes: Object.freeze([...list]), refusal: challenges.insufficientScope(method === '*' ? undefined : method, list, settings.scopeMatch), refuseAll: false })
  }
  const unlisted = rules.get('*') ?? { scopes: Object.freeze([]), refusal: challenges.methodRefused(), refuseAll: true }
  const head = rules.get('HEAD') ?? rules.get('GET')
  if (head !== undefined) rules.set('HEAD', head)
  return (method) => rules.get(method) ?? unlisted
}
