// Turning ajv's errors into issues a client can act on: `body.items[2].id: must be integer`.
// ajv never puts the offending data in its errors (no `verbose`), and neither does this file, so
// a secret sent in the wrong place is not echoed back. Property names are echoed (shortened).
import type { ErrorObject } from 'ajv/dist/2020.js'
import { NO_ISSUES, type ValidationIssue } from './types.ts'
import { FORBIDDEN_KEYWORD } from './spec-ajv.ts'

/** At most this many issues per request or response, so a hostile body cannot inflate the answer. */
export const MAX_ISSUES = 20
const MAX_NAME_LENGTH = 64
const MAX_LISTED_VALUES = 10
const IDENTIFIER = /^[A-Za-z_$@][\w$@-]*$/
const INDEX = /^\d+$/

/**
 * Collects issues for one validation. A validator keeps one sink and reuses it (validation is
 * synchronous); the list is only allocated at the first issue, and handed out by `result()`.
 */
export class IssueSink {
  private issues: ValidationIssue[] | undefined
  private dropped = 0
  private readonly overflowLocation: string

  constructor(overflowLocation: string) {
    this.overflowLocation = overflowLocation
  }

  reset(): void {
    this.issues = undefined
    this.dropped = 0
  }

  add(location: string, message: string): void {
    this.issues ??= []
    if (this.issues.length < MAX_ISSUES) this.issues.push({ location, message })
    else this.dropped++
  }

  /** ajv's errors of one validated value, whose own location is `base` (`query.limit`, `body` …). */
  addAjvErrors(base: string, errors: readonly ErrorObject[] | null | undefined): void {
    if (errors === null || errors === undefined) return
    for (const error of errors) {
      const { extra, message } = describeError(error)
      let location = base + formatInstancePath(error.instancePath)
      if (extra !== undefined) location += formatSegment(extra)
      if (!this.has(location, message)) this.add(location, message)
    }
  }

  /** The issues, at most MAX_ISSUES: past the cap the last one says how many more there were. */
  result(): readonly ValidationIssue[] {
    const issues = this.issues
    this.issues = undefined
    if (issues === undefined) return NO_ISSUES
    if (this.dropped > 0) issues[MAX_ISSUES - 1] = { location: this.overflowLocation, message: `${this.dropped + 1} more issues not shown` }
    return issues
  }

  // anyOf/oneOf branches often repeat the same complaint at the same place; once is enough.
  private has(location: string, message: string): boolean {
    if (this.issues === undefined) return false
    for (const issue of this.issues) if (issue.location === location && issue.message === message) return true
    return false
  }
}

/** `/items/2/id` → `.items[2].id`; names that are not identifiers are quoted: `["first name"]`. */
export function formatInstancePath(instancePath: string): string {
  if (instancePath === '') return ''
  let out = ''
  for (const raw of instancePath.slice(1).split('/')) out += formatSegment(raw.replaceAll('~1', '/').replaceAll('~0', '~'))
  return out
}

function formatSegment(segment: string): string {
  if (INDEX.test(segment)) return `[${segment}]`
  if (IDENTIFIER.test(segment) && segment.length <= MAX_NAME_LENGTH) return `.${segment}`
  const shown = segment.length > MAX_NAME_LENGTH ? `${segment.slice(0, MAX_NAME_LENGTH)}…` : segment
  return `[${JSON.stringify(shown)}]`
}

function formatValue(value: unknown): string {
  return typeof value === 'string' ? value : JSON.stringify(value)
}

/** The message for one ajv error, and the property it is about when that is not in instancePath. */
function describeError(error: ErrorObject): { extra?: string; message: string } {
  const params = error.params as Record<string, unknown>
  switch (error.keyword) {
    case 'required':
      return { extra: String(params.missingProperty), message: 'is required' }
    case 'dependentRequired':
      return { extra: String(params.missingProperty), message: `is required when ${String(params.property)} is present` }
    case 'additionalProperties':
      return { extra: String(params.additionalProperty), message: 'is not allowed' }
    case 'unevaluatedProperties':
      return { extra: String(params.unevaluatedProperty), message: 'is not allowed' }
    case 'type':
      return { message: `must be ${Array.isArray(params.type) ? params.type.join(' or ') : String(params.type)}` }
    case 'enum': {
      const allowed = Array.isArray(params.allowedValues) ? params.allowedValues : []
      const listed = allowed.slice(0, MAX_LISTED_VALUES).map(formatValue).join(', ')
      return { message: `must be one of: ${listed}${allowed.length > MAX_LISTED_VALUES ? ', …' : ''}` }
    }
    case 'const':
      return { message: `must be ${formatValue(params.allowedValue)}` }
    case 'false schema':
      return { message: 'is not allowed' }
    case FORBIDDEN_KEYWORD:
      return { message: error.message ?? 'is not allowed' }
    default:
      return { message: error.message ?? `does not match the schema (${error.keyword})` }
  }
}
