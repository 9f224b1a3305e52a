// Cross-route checks after normalising: unique names, upstreams that exist, and no two routes
// claiming the same requests (CFG-04).
import type { DraftIssue, PathSegment } from './issues.ts'
import { didYouMean } from './suggest.ts'
import type { GatehouseConfig, RouteConfig } from './types.ts'

/** `routeIndex[k]` is the position in the file of `config.routes[k]`. */
export function checkRoutes(config: GatehouseConfig, routeIndex: readonly number[]): DraftIssue[] {
  const issues: DraftIssue[] = []
  checkNames(config.routes, routeIndex, issues)
  checkConflicts(config.routes, routeIndex, issues)
  return issues
}

/**
 * Runs on the file data rather than on normalised routes, so that a route with an issue elsewhere
 * still has its `upstream` checked. Names count even for upstreams with issues of their own.
 */
export function checkUpstreamReferences(data: Record<string, unknown>, clean: (path: readonly PathSegment[]) => boolean): DraftIssue[] {
  const issues: DraftIssue[] = []
  const names = isRecord(data.upstreams) ? Object.keys(data.upstreams) : []
  for (const section of ['routes', 'apis']) {
    const entries = data[section]
    if (!Array.isArray(entries)) continue
    entries.forEach((entry: unknown, index) => {
      const path = [section, index, 'upstream']
      if (!isRecord(entry) || typeof entry.upstream !== 'string' || !clean(path) || names.includes(entry.upstream)) return
      const message = `upstream "${entry.upstream}" is not defined under upstreams${didYouMean(entry.upstream, names)}`
      issues.push({ code: 'GH_ERR_CONFIG_REFERENCE', path, message })
    })
  }
  return issues
}

function checkNames(routes: readonly RouteConfig[], routeIndex: readonly number[], issues: DraftIssue[]): void {
  const seen = new Map<string, number>()
  routes.forEach((route, k) => {
    const first = seen.get(route.name)
    if (first === undefined) seen.set(route.name, routeIndex[k])
    else issues.push({ code: 'GH_ERR_CONFIG_INVALID', path: ['routes', routeIndex[k], 'name'], message: `route name "${route.name}" is already used by routes[${first}]` })
  })
}

// Two routes conflict when some host, method and path (with the same match mode) appear in both.
// Parameter names do not matter: `/users/:id` and `/users/:userId` match the same requests.
function checkConflicts(routes: readonly RouteConfig[], routeIndex: readonly number[], issues: DraftIssue[]): void {
  const owners = new Map<string, number>()
  const reported = new Set<string>()
  routes.forEach((route, k) => {
    for (const key of matchKeys(route)) {
      const owner = owners.get(key.id)
      if (owner === undefined) {
        owners.set(key.id, k)
        continue
      }
      if (owner === k || reported.has(`${owner}/${k}`)) continue
      reported.add(`${owner}/${k}`)
      const first = routes[owner]
      const message = `routes "${first.name}" (routes[${routeIndex[owner]}]) and "${route.name}" (routes[${routeIndex[k]}]) both match ${key.label}`
      issues.push({ code: 'GH_ERR_CONFIG_ROUTE_CONFLICT', path: ['routes', routeIndex[k]], message })
    }
  })
}

function matchKeys(route: RouteConfig): Array<{ id: string; label: string }> {
  const hosts = route.hosts.length === 0 ? ['*'] : route.hosts
  const methods = route.methods.length === 0 ? ['*'] : route.methods
  const keys: Array<{ id: string; label: string }> = []
  for (const host of hosts) {
    for (const method of methods) {
      for (const path of route.paths) {
        // Only the parameter's name is erased: `/files/:name.json` and `/files/:name.xml` differ.
        const shape = path.replace(/:[A-Za-z0-9_]+/g, ':')
        keys.push({
          id: JSON.stringify([host, method, shape, route.match]),
          label: `${method === '*' ? 'any method' : method} ${host === '*' ? 'on any host' : `on ${host}`} ${path} (${route.match})`,
        })
      }
    }
  }
  return keys
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === 'object' && !Array.isArray(value)
}
