// Which format a document is written in: Swagger 2.0, OpenAPI 3.0.x or OpenAPI 3.1.x.
import type { SpecIssue } from '../model.ts'
import type { SpecVersion } from './context.ts'
import { isObject } from './pointer.ts'

export type VersionOutcome = { version: SpecVersion } | { issue: SpecIssue }

export function detectVersion(file: string, document: unknown): VersionOutcome {
  const problem = (pointer: string, message: string): VersionOutcome => ({ issue: { code: 'GH_ERR_CONFIG_SPEC', file, pointer, message } })
  if (!isObject(document)) return problem('#', 'the document must be a mapping (an OpenAPI or Swagger object), not a list or a single value')
  if ('swagger' in document) {
    const declared = document.swagger
    if (declared === '2.0') return { version: '2.0' }
    if (typeof declared === 'number') return problem('#/swagger', `swagger must be the string "2.0" (in quotes), not the number ${declared}`)
    return problem('#/swagger', `swagger: ${JSON.stringify(declared)} is not supported; expected "2.0"`)
  }
  if ('openapi' in document) {
    const declared = document.openapi
    if (typeof declared === 'string' && /^3\.0\.\d+(-[0-9A-Za-z.-]+)?$/.test(declared)) return { version: '3.0' }
    if (typeof declared === 'string' && /^3\.1\.\d+(-[0-9A-Za-z.-]+)?$/.test(declared)) return { version: '3.1' }
    if (typeof declared === 'number') return problem('#/openapi', `openapi must be a string like "3.0.3" (in quotes), not the number ${declared}`)
    return problem('#/openapi', `openapi: ${JSON.stringify(declared)} is not supported; expected a 3.0.x or 3.1.x version such as "3.0.3" or "3.1.0"`)
  }
  return problem('#', 'neither "openapi" nor "swagger" is set: this is not an OpenAPI or Swagger document')
}
