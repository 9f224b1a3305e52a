// loadApiSpec: read → resolve `$ref`s → detect the version → validate → normalise. Every problem
// on the way becomes an issue of one SpecError; nothing else escapes.
import { resolve } from 'node:path'
import type { ApiSpec, SpecIssue } from '../model.ts'
import { finishIssues, type LoadContext, type Located } from './context.ts'
import { basePathOf } from './base-path.ts'
import { checkOperationIds, operationModel, operationSites } from './operations.ts'
import { readAllDocuments } from './refs.ts'
import { securityRequirements, securitySchemeModels } from './security.ts'
import { SourceSet } from './sources.ts'
import { SpecError } from './spec-error.ts'
import { validateDocument } from './validate.ts'
import { detectVersion } from './version.ts'

export interface LoadApiSpecOptions {
  /** Follow `$ref`s to http(s) URLs. Off by default: a document must not make the gateway fetch arbitrary addresses. */
  allowRemoteRefs?: boolean
}

export async function loadApiSpec(file: string, options: LoadApiSpecOptions = {}): Promise<ApiSpec> {
  const entry = resolve(file)
  const sources = new SourceSet(options.allowRemoteRefs === true)
  try {
    return await load(entry, sources, options.allowRemoteRefs === true)
  } catch (error) {
    if (error instanceof SpecError) throw error
    // A defect of ours or of a library must still come out as a readable issue, not a stack.
    const message = error instanceof Error ? error.message : String(error)
    throw new SpecError([{ code: 'GH_ERR_CONFIG_SPEC', file: entry, pointer: '#', message: `the API description cannot be loaded: ${message}` }])
  }
}

async function load(entry: string, sources: SourceSet, allowRemote: boolean): Promise<ApiSpec> {
  const fail = (issues: readonly SpecIssue[]): never => {
    throw new SpecError(finishIssues(issues, sources))
  }
  const readIssues = await readAllDocuments(entry, sources, allowRemote)
  const document = sources.document(entry)
  if (document === undefined) return fail(readIssues)
  const detected = detectVersion(entry, document.value)
  if ('issue' in detected) return fail([detected.issue, ...readIssues])

  const ctx: LoadContext = { sources, version: detected.version, entry, issues: [...readIssues] }
  const root: Located = { value: document.value, file: entry, pointer: '#' }
  // The official schemas can only be checked once every reference leads somewhere.
  if (readIssues.length === 0) ctx.issues.push(...(await validateDocument(ctx)))
  const sites = operationSites(ctx, root)
  checkOperationIds(ctx, sites)
  if (ctx.issues.length > 0) return fail(ctx.issues)

  const value = document.value as Record<string, unknown>
  const info = value.info as Record<string, unknown>
  const schemes = securitySchemeModels(ctx, root)
  const security = securityRequirements(ctx, { value: value.security, file: entry, pointer: '#/security' }, schemes) ?? []
  const spec: ApiSpec = {
    file: entry,
    version: detected.version,
    title: String(info.title),
    apiVersion: String(info.version),
    basePath: basePathOf(detected.version, value),
    securitySchemes: schemes,
    operations: sites.map((site) => operationModel(ctx, site, { root, security, schemes })),
  }
  if (ctx.issues.length > 0) return fail(ctx.issues)
  return spec
}
