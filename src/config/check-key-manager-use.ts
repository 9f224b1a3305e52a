// A jwt policy that trusts "this gateway's own key manager" needs one: caught at load (and by
// `gatehouse validate`) with the place that asks for it, not when the runtime is compiled.
import type { DraftIssue, PathSegment } from './issues.ts'
import type { GatehouseConfig, PolicySettings } from './types.ts'

export function checkKeyManagerUse(config: GatehouseConfig, routeIndex: readonly number[]): DraftIssue[] {
  if (config.keyManager !== null) return []
  const issues: DraftIssue[] = []
  check(config.policies, ['policies'], issues)
  config.routes.forEach((route, k) => check(route.policies, ['routes', routeIndex[k], 'policies'], issues))
  return issues
}

function check(policies: PolicySettings, base: PathSegment[], issues: DraftIssue[]): void {
  const issuers = (policies.jwt as { issuers?: unknown } | undefined)?.issuers
  if (!Array.isArray(issuers)) return
  issuers.forEach((issuer: unknown, index) => {
    if ((issuer as { keyManager?: unknown } | null)?.keyManager !== true) return
    issues.push({ code: 'GH_ERR_CONFIG_REFERENCE', path: [...base, 'jwt', 'issuers', index, 'keyManager'], message: 'trusts this gateway\'s own key manager, but the file has no keyManager section' })
  })
}
