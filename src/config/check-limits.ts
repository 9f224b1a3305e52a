// CFG-09: limits that switch a protection off (0 = unlimited, or beyond the safe range) are
// refused unless `limits.unsafe: true`; with it they are accepted and each one is warned about.
import type { DraftIssue, PathSegment } from './issues.ts'
import type { RawConfig } from './raw-types.ts'
import { SAFE_LIMITS } from './schema-server.ts'

export interface LimitFindings {
  issues: DraftIssue[]
  warnings: DraftIssue[]
}

/** `clean(path)` tells whether a field passed the schema; other fields are left to their schema issue. */
export function checkLimits(section: Record<string, unknown>, clean: (path: readonly PathSegment[]) => boolean): LimitFindings {
  const findings: LimitFindings = { issues: [], warnings: [] }
  // Only fields that passed the schema are read, so their types hold.
  const limits = section as Partial<RawConfig['limits']>
  const unsafe = clean(['limits', 'unsafe']) && limits.unsafe
  for (const [field, range] of Object.entries(SAFE_LIMITS) as Array<[keyof typeof SAFE_LIMITS, { min: number; max: number }]>) {
    if (!clean(['limits', field])) continue
    const value = limits[field] as number
    if (value >= range.min && value <= range.max) continue
    const what = value === 0 ? '0 switches this protection off' : `values above ${range.max} weaken this protection`
    const path = ['limits', field]
    if (unsafe) findings.warnings.push({ code: 'GH_ERR_CONFIG_INVALID', path, message: `${what}; accepted because limits.unsafe is true` })
    else findings.issues.push({ code: 'GH_ERR_CONFIG_INVALID', path, message: `${what}; set limits.unsafe: true to allow it` })
  }
  // Node refuses a server whose head timeout is longer than its whole-request timeout.
  if (!clean(['limits', 'requestTimeoutMs']) || !clean(['limits', 'headersTimeoutMs'])) return findings
  const { requestTimeoutMs = 0, headersTimeoutMs = 0 } = limits
  if (requestTimeoutMs > 0 && headersTimeoutMs > requestTimeoutMs) {
    findings.issues.push({ code: 'GH_ERR_CONFIG_INVALID', path: ['limits', 'headersTimeoutMs'], message: 'must not exceed limits.requestTimeoutMs' })
  }
  return findings
}
