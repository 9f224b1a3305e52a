// Checks the global and per-route policy maps against a policy registry: unknown policy names,
// settings against each policy's own schema (filling its defaults), then the policy's check().
import type { PolicyDefinition } from '../kit/policy.ts'
import type { DraftIssue, PathSegment } from './issues.ts'
import { didYouMean } from './suggest.ts'
import { validatePolicySchema } from './validate-schema.ts'

// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type PolicyRegistry = Record<string, PolicyDefinition<any>>

/** Validates every policy map in the (schema-validated) file data, in place. */
export function validatePolicies(data: unknown, registry: PolicyRegistry): DraftIssue[] {
  if (!isRecord(data)) return []
  const issues: DraftIssue[] = []
  validateMap(data.policies, ['policies'], registry, issues)
  if (Array.isArray(data.routes)) {
    data.routes.forEach((route: unknown, index) => {
      if (isRecord(route)) validateMap(route.policies, ['routes', index, 'policies'], registry, issues)
    })
  }
  if (Array.isArray(data.apis)) {
    data.apis.forEach((api: unknown, index) => {
      if (!isRecord(api)) return
      validateMap(api.policies, ['apis', index, 'policies'], registry, issues)
      if (!isRecord(api.operations)) return
      for (const [operationId, operation] of Object.entries(api.operations)) {
        if (isRecord(operation)) validateMap(operation.policies, ['apis', index, 'operations', operationId, 'policies'], registry, issues)
      }
    })
  }
  return issues
}

function validateMap(map: unknown, base: PathSegment[], registry: PolicyRegistry, issues: DraftIssue[]): void {
  if (!isRecord(map)) return
  for (const [name, given] of Object.entries(map)) {
    const path = [...base, name]
    if (!Object.hasOwn(registry, name)) {
      const message = `unknown policy "${name}"${didYouMean(name, Object.keys(registry))}`
      issues.push({ code: 'GH_ERR_CONFIG_UNKNOWN_FIELD', path, at: 'key', message })
      continue
    }
    if (!isRecord(given) && given !== null) continue // the config schema has reported it already
    // `cors:` with nothing after it means "with its defaults".
    const settings = given ?? {}
    map[name] = settings
    const definition = registry[name]
    if (definition.internal === true) {
      issues.push({ code: 'GH_ERR_CONFIG_UNKNOWN_FIELD', path, at: 'key', message: `policy "${name}" is set up from an API's document (under apis), not by hand` })
      continue
    }
    const schemaIssues = compileAndValidate(definition, settings, path)
    issues.push(...schemaIssues)
    if (schemaIssues.length === 0 && definition.check !== undefined) {
      for (const message of runCheck(definition, settings)) issues.push({ code: 'GH_ERR_CONFIG_INVALID', path, message })
    }
  }
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any
function compileAndValidate(definition: PolicyDefinition<any>, settings: unknown, path: PathSegment[]): DraftIssue[] {
  try {
    return validatePolicySchema(definition.schema, settings, path)
  } catch (error) {
    // A schema ajv cannot compile is a bug in the policy; report it rather than crash the load.
    return [{ code: 'GH_ERR_CONFIG_INVALID', path, message: `policy schema cannot be compiled: ${error instanceof Error ? error.message : String(error)}` }]
  }
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any
function runCheck(definition: PolicyDefinition<any>, settings: unknown): string[] {
  try {
    return definition.check?.(settings) ?? []
  } catch (error) {
    // A throwing check is a bug in the policy, but the file is what the operator can act on.
    return [`settings could not be checked: ${error instanceof Error ? error.message : String(error)}`]
  }
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === 'object' && !Array.isArray(value)
}
