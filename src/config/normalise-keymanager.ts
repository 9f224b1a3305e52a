// Turns the `keyManager` section (schema-checked, defaults filled) into KeyManagerConfig: the
// issuer derived from the first listener when not given, file paths made absolute, the admin token
// taken from `admin.token` when the section has none, and the checks that span sections.
import { resolve } from 'node:path'
import { unreadable } from './check-network.ts'
import { isWildcardHost } from './check-values.ts'
import { displayFile, type DraftIssue, type PathSegment } from './issues.ts'
import type { NormaliseContext } from './normalise.ts'
import type { RawKeyManager } from './raw-types.ts'
import type { AdminConfig, KeyManagerConfig, ListenerConfig, TrustedIssuerConfig } from './types.ts'

const SECTION = 'keyManager'
const DAY = 86_400

export interface KeyManagerNeighbours {
  workers: number | 'auto'
  admin: AdminConfig
  /** Normalised listeners; the first one names the default issuer. */
  listeners: readonly ListenerConfig[]
}

/** null when the section is absent or has schema issues (those are reported already). */
export function normaliseKeyManager(raw: RawKeyManager | undefined, around: KeyManagerNeighbours, ctx: NormaliseContext): KeyManagerConfig | null {
  if (raw === undefined || raw === null || !ctx.clean([SECTION])) return null
  const issue = (path: PathSegment[], message: string, code: DraftIssue['code'] = 'GH_ERR_CONFIG_INVALID'): void => {
    ctx.issues.push({ code, path: [SECTION, ...path], message })
  }
  const issuer = raw.issuer === undefined ? defaultIssuer(around.listeners[0], raw.basePath, issue) : raw.issuer
  if (raw.issuer !== undefined) {
    const problem = urlProblem(raw.issuer, false)
    if (problem !== undefined) issue(['issuer'], problem)
  }
  const { N } = raw.passwordHashing
  if ((N & (N - 1)) !== 0) issue(['passwordHashing', 'N'], 'must be a power of two (1024, 2048, …, 4194304)')
  if (raw.signing.publishAheadSeconds >= raw.signing.rotationDays * DAY) issue(['signing', 'publishAheadSeconds'], 'must be shorter than signing.rotationDays')
  if (raw.store.type === 'memory' && around.workers !== 1) {
    issue(['store', 'type'], 'the memory store lives inside one process; with several workers use type: sqlite')
  }
  const adminToken = raw.adminToken ?? around.admin.token
  if (adminToken === undefined) {
    issue([], 'the client registry API needs a credential: set keyManager.adminToken or admin.token', 'GH_ERR_CONFIG_ADMIN_UNPROTECTED')
  }
  return {
    issuer,
    basePath: raw.basePath,
    store: raw.store.type === 'memory' ? { type: 'memory' } : { type: 'sqlite', path: resolve(ctx.configDir, raw.store.path) },
    secretPepper: raw.secretPepper ?? null,
    signing: { ...raw.signing },
    tokens: { ...raw.tokens, audience: raw.tokens.audience ?? [issuer] },
    passwordHashing: { ...raw.passwordHashing },
    assertions: { ...raw.assertions },
    trustedIssuers: normaliseTrustedIssuers(raw.trustedIssuers, ctx.configDir, issue),
    adminToken: adminToken ?? '',
    throttle: { ...raw.throttle },
  }
}

type IssueSink = (path: PathSegment[], message: string) => void

function defaultIssuer(listener: ListenerConfig | undefined, basePath: string, issue: IssueSink): string {
  // Without a usable listener the load fails anyway; the placeholder only keeps the types whole.
  if (listener === undefined) return `http://localhost${basePath}`
  if (listener.port === 0) {
    issue(['issuer'], `is required: the first listener ("${listener.name}") has port 0, so no issuer URL can be derived from it`)
    return `http://localhost${basePath}`
  }
  const host = isWildcardHost(listener.host) ? 'localhost' : listener.host.includes(':') && !listener.host.startsWith('[') ? `[${listener.host}]` : listener.host
  const defaultPort = listener.protocol === 'https' ? 443 : 80
  return `${listener.protocol}://${host}${listener.port === defaultPort ? '' : `:${listener.port}`}${basePath}`
}

/** An issuer (or JWKS URL) must be a plain http(s) URL: no credentials, and for issuers no query or fragment (RFC 8414 §2). */
function urlProblem(text: string, queryAllowed: boolean): string | undefined {
  let url: URL
  try {
    url = new URL(text)
  } catch {
    return 'must be an absolute http:// or https:// URL'
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') return 'must be an http:// or https:// URL'
  if (url.username !== '' || url.password !== '') return 'must not contain credentials'
  if (!queryAllowed && (text.includes('?') || text.includes('#'))) return 'must not have a query or fragment'
  return undefined
}

function normaliseTrustedIssuers(entries: RawKeyManager['trustedIssuers'], configDir: string, issue: IssueSink): TrustedIssuerConfig[] {
  const seen = new Map<string, number>()
  return entries.map((entry, index) => {
    const base: PathSegment[] = ['trustedIssuers', index]
    const first = seen.get(entry.issuer)
    if (first !== undefined) issue([...base, 'issuer'], `issuer is already listed at trustedIssuers[${first}]`)
    else seen.set(entry.issuer, index)
    const hasCertificates = entry.certificates !== undefined && Object.keys(entry.certificates).length > 0
    if ((entry.jwksUri === undefined) === !hasCertificates) issue(base, 'give exactly one of jwksUri and certificates')
    if (entry.jwksUri !== undefined) {
      const problem = urlProblem(entry.jwksUri, true)
      if (problem !== undefined) issue([...base, 'jwksUri'], problem)
    }
    const result: TrustedIssuerConfig = { issuer: entry.issuer, audience: entry.audience ?? [] }
    if (entry.jwksUri !== undefined) result.jwksUri = entry.jwksUri
    if (entry.certificates !== undefined) {
      const certificates: Record<string, string> = {}
      for (const [kid, file] of Object.entries(entry.certificates)) {
        certificates[kid] = resolve(configDir, file)
        const problem = unreadable(certificates[kid])
        if (problem !== undefined) issue([...base, 'certificates', kid], `key file "${displayFile(certificates[kid])}" ${problem}`)
      }
      result.certificates = certificates
    }
    return result
  })
}
