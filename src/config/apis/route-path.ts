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
// The router ends a parameter's name at "/", "-", "." or "(" ("(" opens a regular expression).
// Literal text after a parameter must therefore start with "-" or ".": anything else would be
// read as part of the name (`{id}x` → `:idx`) or as a pattern.
const PARAM_NAME_END = /^[-.]/

/** A base path without trailing slashes: `/` → '', `/v1/` → `/v1`. */
export function normaliseBasePath(basePath: string): string {
  return basePath.replace(/\/+$/, '')
}

/** The router path for an operation's path template, or why it cannot be routed (`problem`). */
export function toRoutePath(basePath: string, template: string): RoutePath | { problem: string } {
  if (!template.startsWith('/')) return { problem: `path "${template}" must start with "/"` }
  if (/[\s?#:*]/.test(template.replace(TEMPLATE_PARAM, ''))) return { problem: `path "${template}" contains a character a route cannot hold (space, "?", "#", ":" or "*")` }
  for (const segment of template.split('/')) {
    const params = [...segment.matchAll(TEMPLATE_PARAM)]
    // One parameter per segment, possibly with literal text around it (`{name}.json`), is what the
    // router can match unambiguously; `{a}{b}` has no boundary between the two.
    if (params.length > 1) return { problem: `path "${template}": segment "${segment}" holds more than one parameter` }
    const [param] = params
    if (param === undefined) continue
    const after = segment.slice(param.index + param[0].length)
    if (after !== '' && !PARAM_NAME_END.test(after)) {
      return { problem: `path "${template}": in segment "${segment}", the text after ${param[0]} must start with "." or "-" (as in {name}.json), or the router cannot tell where the parameter ends` }
    }
  }
  const renamed: Record<string, string> = {}
  // A stand-in must not be a name the template already uses.
  const used = new Set([...template.matchAll(TEMPLATE_PARAM)].map((match) => match[1]))
  let counter = 0
  const path = template.replace(TEMPLATE_PARAM, (_match, name: string) => {
    if (ROUTER_SAFE.test(name)) return `:${name}`
    let stand = `p${counter++}_`
    while (used.has(stand)) stand = `p${counter++}_`
    renamed[stand] = name
    return `:${stand}`
  })
  const base = normaliseBasePath(basePath)
  const joined = base + (path === '/' && base !== '' ? '' : path)
  return { path: joined === '' ? '/' : joined, renamed }
}

/** Number of path segments of a base path: what `stripBasePath` removes. */
export function segmentCount(basePath: string): number {
  const base = normaliseBasePath(basePath)
  return base === '' ? 0 : base.split('/').length - 1
}
