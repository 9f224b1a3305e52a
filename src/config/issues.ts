// Config problems: every one found in a file is collected as a ConfigIssue, and a failed load
// throws one ConfigError carrying them all, so an operator fixes a file in one pass.
import { isAbsolute, relative } from 'node:path'
import type { ErrorCode } from '../core/errors/catalogue.ts'
import { GatehouseError } from '../core/errors/gatehouse-error.ts'

export type PathSegment = string | number

export interface ConfigIssue {
  code: ErrorCode
  file: string
  line?: number
  column?: number
  /** Dotted path of the offending value, e.g. `routes[3].policies.rate-limit.limit`; '' for the whole file. */
  path: string
  message: string
}

/** An issue before the loader has attached the file and the source position. */
export interface DraftIssue {
  code: ErrorCode
  path: readonly PathSegment[]
  message: string
  /** Point at the key of the last path segment (unknown fields) rather than at its value. */
  at?: 'key' | 'value'
}

export class ConfigError extends GatehouseError {
  readonly issues: ConfigIssue[]

  constructor(issues: ConfigIssue[]) {
    const code = issues[0]?.code ?? 'GH_ERR_CONFIG_INVALID'
    const errors = issues.map((issue) => ({ ...issue, file: displayFile(issue.file) }))
    super(code, formatConfigIssues(issues), { extra: { errors } })
    this.name = 'ConfigError'
    this.issues = issues
  }
}

/**
 * Most issues the text shows. A file generated wrong repeats one mistake thousands of times;
 * the first hundred show it, and the rest would bury the command's other output.
 */
export const MAX_ISSUES_SHOWN = 100

/**
 * One line per issue: `gatehouse.yaml:42:7 routes[3].policies.rate-limit.limit: must be > 0 (GH_ERR_CONFIG_INVALID)`,
 * at most MAX_ISSUES_SHOWN of them and a line counting the rest (ConfigError's `errors` keeps them all).
 */
export function formatConfigIssues(issues: readonly ConfigIssue[]): string {
  const lines = issues.slice(0, MAX_ISSUES_SHOWN).map(formatConfigIssue)
  const hidden = issues.length - lines.length
  if (hidden > 0) lines.push(`… and ${hidden} more problem${hidden === 1 ? '' : 's'} (${issues.length} in all)`)
  return lines.join('\n')
}

export function formatConfigIssue(issue: ConfigIssue): string {
  return `${formatConfigWarning(issue)} (${issue.code})`
}

/** Same as an issue line, without the code: warnings are not errors. */
export function formatConfigWarning(issue: Omit<ConfigIssue, 'code'>): string {
  const where = issue.line === undefined ? displayFile(issue.file) : `${displayFile(issue.file)}:${issue.line}:${issue.column ?? 1}`
  const path = issue.path === '' ? '' : `${issue.path}: `
  return `${where} ${path}${issue.message}`
}

/** Relative to the working directory when the file lies inside it; absolute otherwise. */
export function displayFile(file: string): string {
  const rel = relative(process.cwd(), file)
  return rel === '' || rel.startsWith('..') || isAbsolute(rel) ? file : rel
}

const PLAIN_KEY = /^[A-Za-z_$][\w$-]*$/

/** `['routes', 3, 'policies', 'rate-limit']` → `routes[3].policies.rate-limit`. */
export function pathToString(path: readonly PathSegment[]): string {
  let out = ''
  for (const segment of path) {
    if (typeof segment === 'number') out += `[${segment}]`
    else if (PLAIN_KEY.test(segment)) out += out === '' ? segment : `.${segment}`
    else out += `[${JSON.stringify(segment)}]`
  }
  return out
}

/** JSON Pointer of a path, the form ajv reports and the loader uses to tell which values are bad. */
export function pathToPointer(path: readonly PathSegment[]): string {
  return path.map((segment) => '/' + String(segment).replaceAll('~', '~0').replaceAll('/', '~1')).join('')
}
