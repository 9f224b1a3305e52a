// Loads gatehouse.yaml: YAML parse (positions kept) → ${env:NAME} substitution → JSON Schema
// validation with defaults → policy settings → normalising → cross-field checks. Every issue found
// is reported together, each with file:line:column, in one ConfigError.
import { readFile } from 'node:fs/promises'
import { dirname, resolve } from 'node:path'
import { LineCounter, parseDocument, type Document, type YAMLError } from 'yaml'
import { POLICIES } from '../policies/index.ts'
import { expandApis } from './apis/expand.ts'
import { checkKeyManagerUse } from './check-key-manager-use.ts'
import { checkLimits } from './check-limits.ts'
import { checkNetwork } from './check-network.ts'
import { checkRoutes, checkUpstreamReferences } from './check-routes.ts'
import { substituteEnv } from './env.ts'
import { ConfigError, formatConfigWarning, pathToPointer, pathToString, type ConfigIssue, type DraftIssue, type PathSegment } from './issues.ts'
import { normalise } from './normalise.ts'
import { validatePolicies, type PolicyRegistry } from './policies.ts'
import { locate, positionAt } from './positions.ts'
import type { GatehouseConfig } from './types.ts'
import { validateConfigData } from './validate-schema.ts'

export { redactConfig } from './redact.ts'
export { ConfigError, formatConfigIssues, type ConfigIssue } from './issues.ts'

export interface LoadOptions {
  /** Variables for `${env:NAME}`; default `process.env`. */
  env?: Record<string, string | undefined>
  /** Policies by config key; default the built-in `POLICIES`. */
  policies?: PolicyRegistry
  /** Receives each warning (one formatted line); default `process.emitWarning`. */
  onWarning?: (message: string) => void
}

export async function loadConfigFile(file: string, options: LoadOptions = {}): Promise<GatehouseConfig> {
  const source = resolve(file)
  let text: string
  try {
    text = await readFile(source, 'utf8')
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code
    const message = code === 'ENOENT' ? 'file does not exist' : code === 'EISDIR' ? 'is a directory, not a file' : `file cannot be read (${code ?? String(error)})`
    throw new ConfigError([{ code: 'GH_ERR_CONFIG_FILE', file: source, path: '', message }])
  }
  const analysed = analyseConfigText(text, source, options)
  const { config } = analysed
  // APIs are expanded only from a file that is otherwise sound: their routes join its routes.
  if (analysed.drafts.length === 0 && config.apis.length > 0) {
    const expansion = await expandApis(config, options.policies ?? POLICIES)
    config.routes.push(...expansion.routes)
    const drafts = [...expansion.drafts]
    if (drafts.length === 0 && expansion.specIssues.length === 0) drafts.push(...checkRoutes(config, config.routes.map((_, index) => index)).map((issue) => apiRouteIssue(issue, config)))
    if (drafts.length > 0 || expansion.specIssues.length > 0) throw new ConfigError([...analysed.finish(drafts), ...expansion.specIssues])
  }
  return finishLoad(analysed, options)
}

export function parseConfigText(text: string, file: string, options: LoadOptions = {}): GatehouseConfig {
  return finishLoad(analyseConfigText(text, resolve(file), options), options)
}

interface Analysed {
  config: GatehouseConfig
  drafts: DraftIssue[]
  warnings: DraftIssue[]
  /** Attaches file, line and column to issues found in the config file. */
  finish: (drafts: readonly DraftIssue[]) => ConfigIssue[]
}

function finishLoad(analysed: Analysed, options: LoadOptions): GatehouseConfig {
  if (analysed.drafts.length > 0) throw new ConfigError(analysed.finish(analysed.drafts))
  const warn = options.onWarning ?? ((message: string) => process.emitWarning(message, 'GatehouseConfigWarning'))
  for (const warning of analysed.finish(analysed.warnings)) warn(formatConfigWarning(warning))
  return analysed.config
}

/**
 * A conflict that involves a route generated from an API is reported at that API's entry (the
 * route does not exist in the file); `routes[k]` in the message names the generated route.
 */
function apiRouteIssue(issue: DraftIssue, config: GatehouseConfig): DraftIssue {
  const index = issue.path[0] === 'routes' && typeof issue.path[1] === 'number' ? issue.path[1] : -1
  const api = config.routes[index]?.api
  if (api === undefined) return issue
  return { ...issue, path: ['apis', config.apis.findIndex((entry) => entry.name === api)] }
}

function analyseConfigText(text: string, source: string, options: LoadOptions): Analysed {
  const lines = new LineCounter()
  // logLevel 'error': yaml's warnings would go to the process warning stream; the schema reports what matters.
  const doc = parseDocument(text, { lineCounter: lines, prettyErrors: false, logLevel: 'error' })
  if (doc.errors.length > 0) throw new ConfigError(doc.errors.map((error) => syntaxIssue(error, source, lines)))

  const env = substituteEnv(doc, options.env ?? process.env)
  const finish = (drafts: readonly DraftIssue[]): ConfigIssue[] => sortByPosition(drafts.map((draft) => toIssue(draft, source, doc, lines, env.substituted)))
  let data: unknown
  try {
    data = doc.toJS({ maxAliasCount: 100 })
  } catch (error) {
    // yaml refuses alias expansion that would explode in size ("billion laughs").
    throw new ConfigError([{ code: 'GH_ERR_CONFIG_SYNTAX', file: source, path: '', message: error instanceof Error ? error.message : String(error) }])
  }
  if (data === null || data === undefined) throw new ConfigError(finish([{ code: 'GH_ERR_CONFIG_INVALID', path: [], message: 'the file is empty' }]))
  if (!isRecord(data)) throw new ConfigError(finish([{ code: 'GH_ERR_CONFIG_INVALID', path: [], message: 'the file must hold a mapping of settings (key: value lines), not a list or a single value' }]))

  const drafts: DraftIssue[] = [...env.issues]
  drafts.push(...validateConfigData(data).filter((issue) => !env.unresolved.has(pathToPointer(issue.path))))
  drafts.push(...validatePolicies(data, options.policies ?? POLICIES))

  // An unknown extra key leaves the known fields beside it usable, so it does not stop their checks.
  const bad = drafts.filter((issue) => issue.code !== 'GH_ERR_CONFIG_UNKNOWN_FIELD').map((issue) => pathToPointer(issue.path))
  const clean = (path: readonly PathSegment[]): boolean => {
    const pointer = pathToPointer(path)
    return !bad.some((other) => other === pointer || other.startsWith(pointer + '/'))
  }
  const found: DraftIssue[] = []
  const { config, routeIndex, listenerIndex } = normalise(data, { source, configDir: dirname(source), clean, issues: found })
  found.push(...checkRoutes(config, routeIndex))
  found.push(...checkKeyManagerUse(config, routeIndex))
  found.push(...checkUpstreamReferences(data, clean))
  found.push(...checkNetwork(config, listenerIndex, clean(['admin'])))
  const limits = isRecord(data.limits) ? checkLimits(data.limits, clean) : { issues: [], warnings: [] }
  found.push(...limits.issues)
  drafts.push(...found)
  return { config, drafts, warnings: limits.warnings, finish }
}

function syntaxIssue(error: YAMLError, file: string, lines: LineCounter): ConfigIssue {
  const { line, column } = positionAt(error.pos[0], lines)
  return { code: 'GH_ERR_CONFIG_SYNTAX', file, line, column, path: '', message: error.message }
}

function toIssue(draft: DraftIssue, file: string, doc: Document, lines: LineCounter, secrets: ReadonlySet<string>): ConfigIssue {
  const { line, column } = locate(doc, lines, draft.path, draft.at)
  return { code: draft.code, file, line, column, path: pathToString(draft.path), message: scrub(draft.message, secrets) }
}

// Messages may repeat a value (a method name, a port, whatever a policy's check() says). Any value
// that came from the environment is blanked wherever it appears (CFG-09). Very short values are
// only blanked when quoted, so that "must be >= 1" survives a variable set to "1".
function scrub(message: string, secrets: ReadonlySet<string>): string {
  let result = message
  for (const secret of secrets) result = secret.length >= 4 ? result.replaceAll(secret, '***') : result.replaceAll(`"${secret}"`, '"***"')
  return result
}

function sortByPosition(issues: ConfigIssue[]): ConfigIssue[] {
  return issues.sort((a, b) => (a.line ?? 0) - (b.line ?? 0) || (a.column ?? 0) - (b.column ?? 0))
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === 'object' && !Array.isArray(value)
}
