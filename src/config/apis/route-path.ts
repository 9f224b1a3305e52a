// OpenAPI path templates → router paths. `{id}` becomes `:id`; a parameter name the router cannot
// carry (`{user-id}`) gets a safe stand-in, and the validator is told which name it stands for.

export interface RoutePath {
  /** The router path, base path included. */
  path: string
  /** Router parameter name → the document's name, for the names that had to change. */
  renamed: Record<string, string>
}

const TEMPLATE_PARAM = /\{([^{}]+)\}/g
const ROUTER_SAFE = /^[A-Za-z_][A-Za-z0-9_]*$/

/** Undefined when the template cannot be routed (message in `problem`). */
export function toRoutePath(basePath: string, template: string): RoutePath | { problem: string } {
  if (!template.startsWith('/')) return { problem: `path "${template}" must start with "/"` }
  if (/[\s?#:*]/.test(template.replace(TEMPLATE_PARAM, ''))) return { problem: `path "${template}" contains a character a route cannot hold (space, "?", "#", ":" or "*")` }
  const renamed: Record<string, string> = {}
  let counter = 0
  for (const segment of template.split('/')) {
    const params = [...segment.matchAll(TEMPLATE_PARAM)]
    // One parameter per segment, possibly with literal text around it (`{name}.json`), is what the
    // router can match unambiguously; `{a}{b}` has no boundary between the two.
    if (params.length > 1) return { problem: `path "${template}": segment "${segment}" holds more than one parameter` }
  }
  const path = template.replace(TEMPLATE_PARAM, (_match, name: string) => {
    if (ROUTER_SAFE.test(name)) return `:${name}`
    const stand = `p${counter++}_`
    renamed[stand] = name
    return `:${stand}`
  })
  const joined = basePath + (path === '/' && basePath !== '' ? '' : path)
  return { path: joined === '' ? '/' : joined, renamed }
}

/** Number of path segments of a base path: what `stripBasePath` removes. */
export function segmentCount(basePath: string): number {
  return basePath === '' ? 0 : basePath.split('/').length - 1
}
