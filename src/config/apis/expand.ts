// `apis` → routes: one exact route per operation of each API's document, carrying the policies
// the document implies (security with its scopes, request validation, mocks) next to the API's
// own. Runs after the file itself validated; documents are read here, asynchronously.
import { readFile } from 'node:fs/promises'
import { loadApiSpec, SpecError } from '../../openapi/load/index.ts'
import { parseSource, positionOf } from '../../openapi/load/sources.ts'
import { parseStatus, responseFor } from '../../openapi/mock/status.ts'
import type { ApiSpec, OperationModel } from '../../openapi/model.ts'
import type { ConfigIssue, DraftIssue, PathSegment } from '../issues.ts'
import type { PolicyRegistry } from '../policies.ts'
import type { ApiConfig, GatehouseConfig, RouteConfig } from '../types.ts'
import { validatePolicySchema } from '../validate-schema.ts'
import { normaliseBasePath, segmentCount, toRoutePath } from './route-path.ts'
import { planSecurity } from './security.ts'

export interface Expansion {
  routes: RouteConfig[]
  /** Problems at a place in the config file. */
  drafts: DraftIssue[]
  /** Problems at a place in a document (their own file and line). */
  specIssues: ConfigIssue[]
}

/** Settings of the internal openapi-request policy (see src/policies/openapi-request). */
export interface OpenApiRequestSettings {
  api: string
  /** The whole document: its operations share one compiled-schema cache. */
  spec: ApiSpec
  operation: OperationModel
  /** Router parameter name → document name, for renamed path parameters. */
  renamedParams: Record<string, string>
  validateRequests: boolean
  /** Largest body read to be checked. */
  maxBodyBytes: number
  responses: 'off' | 'log' | 'enforce'
}

/** Settings of the internal openapi-mock policy. */
export interface OpenApiMockSettings {
  api: string
  operation: OperationModel
  status?: number
}

export async function expandApis(config: GatehouseConfig, registry: PolicyRegistry): Promise<Expansion> {
  const result: Expansion = { routes: [], drafts: [], specIssues: [] }
  const loaded = await Promise.all(config.apis.map((api) => loadSpec(api, result)))
  config.apis.forEach((api, apiIndex) => {
    const spec = loaded[apiIndex]
    if (spec !== undefined) result.routes.push(...apiRoutes(api, apiIndex, spec, config, registry, result))
  })
  // Every operation is planned on its own: a problem with an API's settings would be reported
  // once per operation that uses them.
  result.drafts = unique(result.drafts, (draft) => JSON.stringify([draft.code, draft.path, draft.message]))
  result.specIssues = await withPositions(unique(result.specIssues, (issue) => JSON.stringify([issue.code, issue.file, issue.path, issue.message])))
  return result
}

function unique<T>(items: T[], key: (item: T) => string): T[] {
  const seen = new Set<string>()
  return items.filter((item) => {
    const id = key(item)
    if (seen.has(id)) return false
    seen.add(id)
    return true
  })
}

/**
 * Issues found while expanding (not while loading) know their document and pointer only; the
 * document is read again to give them a line and column, as the loader's own issues have.
 */
async function withPositions(issues: ConfigIssue[]): Promise<ConfigIssue[]> {
  const sources = new Map<string, ReturnType<typeof parseSource> | undefined>()
  for (const issue of issues) {
    if (issue.line !== undefined || !issue.path.startsWith('#')) continue
    if (!sources.has(issue.file)) sources.set(issue.file, await readFile(issue.file, 'utf8').then((text) => parseSource(issue.file, text), () => undefined))
    const parsed = sources.get(issue.file)
    if (parsed?.ok !== true) continue
    Object.assign(issue, positionOf(parsed.source, issue.path))
  }
  return issues
}

async function loadSpec(api: ApiConfig, result: Expansion): Promise<ApiSpec | undefined> {
  try {
    return await loadApiSpec(api.spec, { allowRemoteRefs: api.allowRemoteRefs })
  } catch (error) {
    if (!(error instanceof SpecError)) throw error
    for (const issue of error.issues) result.specIssues.push({ code: issue.code, file: issue.file, line: issue.line, column: issue.column, path: issue.pointer, message: issue.message })
    return undefined
  }
}

function apiRoutes(api: ApiConfig, apiIndex: number, spec: ApiSpec, config: GatehouseConfig, registry: PolicyRegistry, result: Expansion): RouteConfig[] {
  const base: PathSegment[] = ['apis', apiIndex]
  const specIssue = (message: string, pointer = '#'): void => {
    result.specIssues.push({ code: 'GH_ERR_CONFIG_SPEC', file: spec.file, path: pointer, message })
  }
  const known = new Set(spec.operations.map((operation) => operation.operationId).filter((id) => id !== undefined))
  for (const id of Object.keys(api.operations)) {
    if (!known.has(id)) result.drafts.push({ code: 'GH_ERR_CONFIG_REFERENCE', path: [...base, 'operations', id], at: 'key', message: `the document has no operation with operationId "${id}"` })
  }
  // Settings for a scheme the document does not define would silently do nothing (a typo).
  const schemes = Object.keys(spec.securitySchemes)
  for (const scheme of Object.keys(api.security)) {
    if (!Object.hasOwn(spec.securitySchemes, scheme)) {
      const defined = schemes.length === 0 ? 'it defines none' : `it defines ${schemes.map((name) => `"${name}"`).join(', ')}`
      result.drafts.push({ code: 'GH_ERR_CONFIG_REFERENCE', path: [...base, 'security', scheme], at: 'key', message: `the document has no security scheme "${scheme}" (${defined})` })
    }
  }
  // A base path from the config may end with "/" (`/v1/`, `/`); the document's never does.
  const basePath = normaliseBasePath(api.basePath ?? spec.basePath)
  const routes: RouteConfig[] = []
  for (const operation of spec.operations) {
    const overrides = operation.operationId === undefined ? undefined : api.operations[operation.operationId]
    const routePath = toRoutePath(basePath, operation.pathTemplate)
    if ('problem' in routePath) {
      specIssue(routePath.problem, operation.pointer)
      continue
    }
    const security = planSecurity(operation, { api, apiIndex, schemes: spec.securitySchemes, hasKeyManager: config.keyManager !== null })
    for (const problem of security.problems) {
      if (problem.path === 'spec') specIssue(problem.message, operation.pointer)
      else result.drafts.push({ code: 'GH_ERR_CONFIG_INVALID', path: problem.path, message: problem.message })
    }
    const policies: Record<string, unknown> = { ...api.policies }
    for (const [name, { settings, path }] of Object.entries(security.policies)) {
      if (checkPolicySettings(name, settings, path, registry, result)) policies[name] = settings
    }
    const mock = overrides?.mock ?? api.mock
    const validateRequests = overrides?.validateRequests ?? api.validation.requests
    if (validateRequests || api.validation.responses !== 'off') {
      policies['openapi-request'] = internalSettings<OpenApiRequestSettings>({ api: api.name, spec, operation, renamedParams: routePath.renamed, validateRequests, maxBodyBytes: api.validation.maxBodyBytes, responses: api.validation.responses })
    }
    if (mock) {
      const status = overrides?.mockStatus
      // Checked here so that a status the operation does not declare fails the load, instead of
      // every mocked request answering 501.
      if (status !== undefined && responseFor(operation.responses.map(parseStatus).filter((entry) => entry !== undefined), status, false) === undefined) {
        const declared = operation.responses.map((response) => response.status).join(', ') || 'none'
        result.drafts.push({ code: 'GH_ERR_CONFIG_INVALID', path: [...base, 'operations', String(operation.operationId), 'mockStatus'], message: `no response ${status} is declared for ${operation.method} ${operation.pathTemplate} (declared: ${declared})` })
      }
      policies['openapi-mock'] = internalSettings<OpenApiMockSettings>({ api: api.name, operation, status })
    }
    Object.assign(policies, overrides?.policies)
    const methods = operation.method === 'GET' && !spec.operations.some((other) => other.method === 'HEAD' && other.pathTemplate === operation.pathTemplate) ? ['GET', 'HEAD'] : [operation.method]
    routes.push({
      name: `${api.name}.${operation.operationId ?? `${operation.method} ${operation.pathTemplate}`}`,
      hosts: api.hosts,
      paths: [routePath.path],
      match: 'exact',
      methods,
      stripPath: api.stripBasePath,
      stripSegments: segmentCount(basePath),
      preserveHost: api.preserveHost,
      upstream: api.upstream ?? '',
      policies: policies as RouteConfig['policies'],
      api: api.name,
    })
  }
  return routes
}

/** Validates generated settings against the policy's schema (filling defaults) and its check(). */
function checkPolicySettings(name: string, settings: Record<string, unknown>, path: PathSegment[], registry: PolicyRegistry, result: Expansion): boolean {
  const definition = registry[name]
  if (definition === undefined) return false
  const issues = validatePolicySchema(definition.schema, settings, path)
  const checks = issues.length === 0 ? (definition.check?.(settings) ?? []) : []
  result.drafts.push(...issues, ...checks.map((message): DraftIssue => ({ code: 'GH_ERR_CONFIG_INVALID', path, message })))
  return issues.length === 0 && checks.length === 0
}

/**
 * Internal settings hold the operation model; `/config` and logs show only which API and
 * operation they stand for.
 */
function internalSettings<T extends { api: string; operation: OperationModel }>(settings: T): T {
  const label = { api: settings.api, operation: settings.operation.operationId ?? `${settings.operation.method} ${settings.operation.pathTemplate}` }
  Object.defineProperty(settings, 'toJSON', { value: () => label, enumerable: false })
  return settings
}
