// A document that cannot be used throws one SpecError carrying every problem found, each with its
// file, JSON pointer and (where the file has one) line and column.
import { displayFile } from '../../config/issues.ts'
import { GatehouseError } from '../../core/errors/gatehouse-error.ts'
import type { SpecIssue } from '../model.ts'

export class SpecError extends GatehouseError {
  readonly issues: SpecIssue[]

  constructor(issues: SpecIssue[]) {
    const code = issues[0]?.code ?? 'GH_ERR_CONFIG_SPEC'
    const errors = issues.map((issue) => ({ ...issue, file: displayFile(issue.file) }))
    super(code, issues.map(formatSpecIssue).join('\n'), { extra: { errors } })
    this.name = 'SpecError'
    this.issues = issues
  }
}

/** `api.yaml:12:9 #/paths/~1data/get: responses is missing (GH_ERR_CONFIG_SPEC)`. */
export function formatSpecIssue(issue: SpecIssue): string {
  const where = issue.line === undefined ? displayFile(issue.file) : `${displayFile(issue.file)}:${issue.line}:${issue.column ?? 1}`
  return `${where} ${issue.pointer}: ${issue.message} (${issue.code})`
}
