// Writes the gatehouse.yaml section for one API document: an upstream, the `apis` entry, and the
// security settings the document implies, with what each operation requires as comments, so an
// operator reviews one readable block instead of writing it from the document by hand.
import { relative } from 'node:path'
import { stringify } from 'yaml'
import type { ApiSpec, OperationModel } from '../model.ts'

export interface ImportOptions {
  /** API (and upstream) name; default from the document's title. */
  name?: string
  /** Upstream URL; default the document's own server, else a placeholder to replace. */
  upstream?: string
  /** Directory the config file will live in: the `spec` path is written relative to it. */
  configDir: string
  /** Whether the config has a keyManager section (OAuth schemes then trust it). */
  keyManager: boolean
  /** Why an operation cannot be loaded as the document describes it, written under its line. */
  problems?: ReadonlyMap<OperationModel, readonly string[]>
}

export const PLACEHOLDER_UPSTREAM = 'http://127.0.0.1:8000'

/** `server` is the document's own server URL (Swagger `schemes` + `host`, or an absolute `servers` URL). */
export function configSection(spec: ApiSpec, server: string | undefined, options: ImportOptions): string {
  const name = options.name ?? nameFrom(spec.title)
  const origin = originOf(server)
  // Upstream targets are plain http: a document's https server cannot be used as it is.
  const usable = origin?.startsWith('http://') === true ? origin : undefined
  const upstream = options.upstream ?? usable ?? PLACEHOLDER_UPSTREAM
  const security: Record<string, unknown> = {}
  for (const [scheme, model] of Object.entries(spec.securitySchemes)) {
    if (model.type === 'apiKey') security[scheme] = { 'api-key': {} }
    else if (model.type === 'oauth2' || model.type === 'openIdConnect' || (model.type === 'http' && model.scheme === 'bearer')) {
      security[scheme] = { jwt: options.keyManager ? { issuers: [{ keyManager: true }] } : { issuers: [{ issuer: 'https://issuer.example', jwksUri: 'https://issuer.example/jwks', algorithms: ['RS256'], audience: name }] } }
    }
  }
  const api: Record<string, unknown> = { name, spec: relative(options.configDir, spec.file) || spec.file, upstream: name }
  if (Object.keys(security).length > 0) api.security = security
  api.validation = { requests: true, responses: 'off' }
  const document = { upstreams: { [name]: { targets: [upstream] } }, apis: [api] }
  const lines = [
    `# ${spec.title} ${spec.apiVersion} (${versionLabel(spec.version)}), from ${relative(options.configDir, spec.file) || spec.file}`,
    '# Review before use: the upstream target, and the issuer settings of each security scheme.',
    ...(upstream !== PLACEHOLDER_UPSTREAM ? [] : origin === undefined ? ['# The document names no server: replace the upstream target below.'] : [`# The document's server is ${origin}; upstream targets are http only: replace the upstream target below.`]),
    '# Operations (served under ' + (spec.basePath === '' ? '/' : spec.basePath) + '):',
    ...spec.operations.flatMap((operation) => [
      `#   ${operation.method.padEnd(7)} ${operation.pathTemplate}${operation.operationId === undefined ? '' : `  (${operation.operationId})`}  ${describeSecurity(operation.security)}`,
      ...(options.problems?.get(operation) ?? []).map((problem) => `#             ! ${problem}`),
    ]),
    ...(options.problems !== undefined && options.problems.size > 0 ? ['# Operations marked ! stop the config from loading until the document (or this section) is changed.'] : []),
    stringify(document, { lineWidth: 0 }).trimEnd(),
  ]
  return lines.join('\n') + '\n'
}

function describeSecurity(security: ApiSpec['operations'][number]['security']): string {
  if (security.length === 0 || security.some((alternative) => Object.keys(alternative).length === 0)) return 'open'
  return security.map((alternative) => Object.entries(alternative).map(([scheme, scopes]) => (scopes.length === 0 ? scheme : `${scheme} [${scopes.join(' ')}]`)).join(' + ')).join(' or ')
}

function versionLabel(version: ApiSpec['version']): string {
  return version === '2.0' ? 'Swagger 2.0' : `OpenAPI ${version}`
}

function nameFrom(title: string): string {
  const name = title.toLowerCase().replace(/[^a-z0-9._-]+/g, '-').replace(/^-+|-+$/g, '').slice(0, 64)
  return name === '' ? 'api' : name
}

function originOf(server: string | undefined): string | undefined {
  if (server === undefined) return undefined
  try {
    const url = new URL(server)
    return url.protocol === 'http:' || url.protocol === 'https:' ? url.origin : undefined
  } catch {
    return undefined
  }
}
