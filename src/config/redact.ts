// A copy of a loaded config that is safe to show (admin API, config export, logs): the admin token
// and every policy setting whose name suggests a secret are replaced by "***" (KEY-08).
import type { GatehouseConfig, PolicySettings } from './types.ts'

export const REDACTED = '***'

const SECRET_NAME = /secret|password|passwd|token|key|credential|private/i

export function redactConfig(config: GatehouseConfig): GatehouseConfig {
  const copy = structuredClone(config)
  if (copy.admin.token !== undefined) copy.admin.token = REDACTED
  copy.policies = redactPolicies(copy.policies)
  for (const route of copy.routes) route.policies = redactPolicies(route.policies)
  return copy
}

// Policy names themselves (e.g. `key-auth`) are not secrets; only the names inside settings count.
function redactPolicies(policies: PolicySettings): PolicySettings {
  const result: PolicySettings = {}
  for (const [name, settings] of Object.entries(policies)) result[name] = redactValue(settings)
  return result
}

function redactValue(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(redactValue)
  if (value === null || typeof value !== 'object') return value
  const result: Record<string, unknown> = {}
  for (const [name, inner] of Object.entries(value)) {
    // A flag such as `hideCredentials: true` reveals nothing, so booleans stay readable.
    result[name] = SECRET_NAME.test(name) && typeof inner !== 'boolean' && inner != null ? REDACTED : redactValue(inner)
  }
  return result
}
