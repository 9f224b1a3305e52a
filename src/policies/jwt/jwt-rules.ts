import { JWS_ALGORITHMS } from '../../jose/jws-algorithms.ts'
import type { IntrospectionSettings, IssuerSettings, JwtSettings } from './schema.ts'

// Headers the gateway writes itself or that frame the message: an identity header of that name
// would either be overwritten or corrupt the upstream request.
const RESERVED_HEADERS = new Set([
  'host', 'content-length', 'transfer-encoding', 'connection', 'keep-alive', 'proxy-connection', 'te', 'trailer', 'upgrade',
  'expect', 'proxy-authorization', 'forwarded', 'via', 'x-forwarded-for', 'x-forwarded-proto', 'x-forwarded-host',
  'x-forwarded-port', 'x-forwarded-prefix', 'x-real-ip', 'x-correlation-id', 'traceparent', 'tracestate',
])

/** Problems a JSON Schema cannot express, each naming the setting. */
export function jwtProblems(settings: JwtSettings): string[] {
  const problems: string[] = []
  const issuers = settings.issuers
  if (issuers === undefined && settings.introspection === undefined) problems.push('issuers: list at least one issuer, or configure introspection')
  if (issuers !== undefined && issuers.length === 0) problems.push('issuers: list at least one issuer')
  const seen = new Set<string>()
  let ownKeyManager: number | undefined
  issuers?.forEach((issuer, index) => {
    const at = `issuers[${index}]`
    if (issuer.keyManager) {
      if (ownKeyManager !== undefined) problems.push(`${at}.keyManager: issuers[${ownKeyManager}] names the key manager already; give it once`)
      ownKeyManager ??= index
      problems.push(...keyManagerIssuerProblems(issuer, at))
      return
    }
    if (issuer.issuer === undefined) {
      problems.push(`${at}.issuer: required (the iss of the tokens), unless keyManager: true`)
    } else {
      if (seen.has(issuer.issuer)) problems.push(`${at}.issuer: '${issuer.issuer}' is listed twice; give each issuer once`)
      seen.add(issuer.issuer)
    }
    problems.push(...issuerProblems(issuer, at))
  })
  if (settings.introspection !== undefined) problems.push(...introspectionProblems(settings.introspection))
  problems.push(...identityHeaderProblems(settings))
  if (settings.scopes !== undefined && !Array.isArray(settings.scopes)) {
    const methods = new Set<string>()
    for (const name of Object.keys(settings.scopes)) {
      const method = name.toUpperCase()
      if (methods.has(method)) problems.push(`scopes.${name}: method ${method} is listed twice`)
      methods.add(method)
    }
  }
  return problems
}

function issuerProblems(issuer: IssuerSettings, at: string): string[] {
  const problems: string[] = []
  const hasJwks = issuer.jwksUri !== undefined
  const hasCertificates = issuer.certificates !== undefined
  if (hasJwks === hasCertificates) problems.push(`${at}: give either jwksUri or certificates (exactly one of them)`)
  if (issuer.jwksUri !== undefined) {
    const problem = httpUrlProblem(issuer.jwksUri)
    if (problem !== undefined) problems.push(`${at}.jwksUri: ${problem}`)
  }
  if (issuer.certificates !== undefined && Object.keys(issuer.certificates).length === 0) problems.push(`${at}.certificates: map at least one kid to a certificate file`)
  if (issuer.algorithms === undefined) problems.push(`${at}.algorithms: required (the alg values the issuer signs with, such as [RS256]), unless keyManager: true`)
  else problems.push(...algorithmProblems(issuer.algorithms, `${at}.algorithms`))
  problems.push(...audienceProblems(issuer, at, true))
  return problems
}

/** The key manager supplies issuer and keys; only the checks may be tightened. */
function keyManagerIssuerProblems(issuer: IssuerSettings, at: string): string[] {
  const problems: string[] = []
  for (const field of ['issuer', 'jwksUri', 'certificates'] as const) {
    if (issuer[field] !== undefined) problems.push(`${at}.${field}: comes from the keyManager section with keyManager: true; remove it`)
  }
  if (issuer.algorithms !== undefined) problems.push(...algorithmProblems(issuer.algorithms, `${at}.algorithms`))
  problems.push(...audienceProblems(issuer, at, false))
  return problems
}

function audienceProblems(issuer: IssuerSettings, at: string, required: boolean): string[] {
  const problems: string[] = []
  const audience = issuer.audience
  if (issuer.allowAnyAudience) {
    if (audience !== undefined) problems.push(`${at}: audience and allowAnyAudience: true contradict each other; keep one`)
  } else if (audience === undefined) {
    if (required) problems.push(`${at}.audience: required (the aud this API expects), unless allowAnyAudience: true`)
  } else if (Array.isArray(audience) && audience.length === 0) {
    problems.push(`${at}.audience: list at least one audience`)
  }
  return problems
}

// CFG-05: an empty list, `none` or an HMAC algorithm is refused at load, never at request time.
function algorithmProblems(algorithms: string[], at: string): string[] {
  if (algorithms.length === 0) return [`${at}: list at least one algorithm, such as RS256`]
  const problems: string[] = []
  algorithms.forEach((alg, index) => {
    if (Object.hasOwn(JWS_ALGORITHMS, alg)) return
    if (alg.toLowerCase() === 'none') problems.push(`${at}[${index}]: 'none' would accept unsigned tokens; it is never allowed`)
    else if (/^HS\d+$/i.test(alg)) problems.push(`${at}[${index}]: '${alg}' is an HMAC algorithm; only asymmetric signatures are verified (RFC 8725 §2.1)`)
    else problems.push(`${at}[${index}]: '${alg}' is not supported (use ${Object.keys(JWS_ALGORITHMS).join(', ')})`)
  })
  return problems
}

function introspectionProblems(introspection: IntrospectionSettings): string[] {
  const problems: string[] = []
  const problem = httpUrlProblem(introspection.endpoint)
  if (problem !== undefined) problems.push(`introspection.endpoint: ${problem}`)
  if (Array.isArray(introspection.audience) && introspection.audience.length === 0) problems.push('introspection.audience: list at least one audience')
  // The id goes into the Basic credentials of every call; a control character has no place there.
  if (/[\x00-\x1F\x7F]/.test(introspection.clientId)) problems.push('introspection.clientId: must not contain control characters')
  return problems
}

function httpUrlProblem(uri: string): string | undefined {
  let url: URL
  try {
    url = new URL(uri)
  } catch {
    return 'is not a URL'
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') return 'must use https or http'
  // Credentials in the URL would end up in error messages and logs.
  if (url.username !== '' || url.password !== '') return 'must not contain a user name or password'
  return undefined
}

function identityHeaderProblems(settings: JwtSettings): string[] {
  const problems: string[] = []
  const tokenHeader = settings.tokenSources.header.toLowerCase()
  const used = new Map<string, string>()
  for (const [field, name] of Object.entries(settings.identityHeaders)) {
    if (name === undefined) continue
    const lower = name.toLowerCase()
    if (RESERVED_HEADERS.has(lower)) problems.push(`identityHeaders.${field}: '${name}' is set by the gateway itself; choose another name`)
    else if (lower === tokenHeader) problems.push(`identityHeaders.${field}: '${name}' is the header the token is read from`)
    const other = used.get(lower)
    if (other !== undefined) problems.push(`identityHeaders.${field}: '${name}' is already used for ${other}`)
    used.set(lower, field)
  }
  return problems
}
