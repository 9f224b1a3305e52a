// A copy of a loaded config that is safe to show (admin API, config export, logs): the admin token
// and every policy setting whose name suggests a secret are replaced by "***" (KEY-08).
import type { GatehouseConfig, PolicySettings } from './types.ts'

export const REDACTED = '***'

const SECRET_NAME = /secret|password|passwd|token|key|credential|private/i

export function redactConfig(config: GatehouseConfig): GatehouseConfig {
  // Settings generated from an API's document carry the whole operation model; their toJSON says
  // which API and operation they stand for, and that is what a copy should show.
  const copy = structuredClone({ ...config, routes: config.routes.map((route) => ({ ...route, policies: labelled(route.policies) })) })
  if (copy.admin.token !== undefined) copy.admin.token = REDACTED
  if (copy.keyManager !== null) {
    copy.keyManager.adminToken = REDACTED
    if (copy.keyManager.secretPepper !== null) copy.keyManager.secretPepper = REDACTED
  }
  // Only digests are loaded, never keys; the digests are hidden too, since with the pepper they
  // would let someone confirm a guessed key offline.
  for (const consumer of copy.consumers) for (const apiKey of consumer.apiKeys) apiKey.digest = REDACTED
  copy.policies = redactPolicies(copy.policies)
  for (const route of copy.routes) route.policies = redactPolicies(route.policies)
  return copy
}

function labelled(policies: PolicySettings): PolicySettings {
  const result: PolicySettings = {}
  for (const [name, settings] of Object.entries(policies)) {
    const toJSON = (settings as { toJSON?: () => unknown } | null)?.toJSON
    result[name] = typeof toJSON === 'function' ? (toJSON.call(settings) as PolicySettings[string]) : settings
  }
  return result
}

// Policy names themselves (e.g. `key-auth`) are not secrets; only the names inside settings count.
function redactPolicies(policies: PolicySettings): PolicySettings {
  const result: PolicySettings = {}
  for (const [name, settings] of Object.entries(policies)) result[name] = name === 'headers' ? redactHeaderValues(settings) : redactValue(settings)
  return result
}

// Header values a policy adds may be credentials whatever the header is called (Authorization,
// Cookie, a vendor key header): every added or set value is hidden; names and removals stay readable.
function redactHeaderValues(settings: unknown): unknown {
  const copy = redactValue(settings) as Record<string, Record<string, unknown> | undefined>
  for (const side of ['request', 'response']) {
    const edits = copy?.[side]
    if (edits === undefined || edits === null) continue
    for (const kind of ['add', 'set']) {
      const values = edits[kind] as Record<string, unknown> | undefined
      if (values !== undefined && values !== null) for (const header of Object.keys(values)) values[header] = REDACTED
    }
  }
  return copy
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
