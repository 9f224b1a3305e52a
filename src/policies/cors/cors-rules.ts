import type { CorsSettings } from './schema.ts'

/** Problems a JSON Schema cannot express, each naming the setting. */
export function corsProblems(settings: CorsSettings): string[] {
  const problems: string[] = []
  const origins = settings.allowOrigins
  if (origins.length === 0) problems.push("allowOrigins: list at least one origin (such as 'https://app.example'), or '*'")
  const wildcard = origins.includes('*')
  if (wildcard && origins.length > 1) problems.push("allowOrigins: '*' already allows every origin; it must be the only entry")
  origins.forEach((origin, index) => {
    if (origin === '*') return
    const problem = originProblem(origin)
    if (problem !== undefined) problems.push(`allowOrigins[${index}]: '${origin}' ${problem}`)
  })
  if (settings.allowCredentials) {
    // Fetch refuses a credentialed response carrying `*`, and treats `*` in the other lists as a
    // literal header name; accepting such a config would only fail later, in the browser.
    if (wildcard) problems.push("allowOrigins: '*' cannot be combined with allowCredentials: true; list the allowed origins instead")
    if (settings.allowHeaders.includes('*')) problems.push("allowHeaders: '*' cannot be combined with allowCredentials: true; list the allowed headers instead")
    if (settings.exposeHeaders.includes('*')) problems.push("exposeHeaders: '*' cannot be combined with allowCredentials: true; list the exposed headers instead")
  }
  if (settings.allowMethods.includes('*')) problems.push("allowMethods: list the methods explicitly; '*' is not supported")
  return problems
}

/** Browsers send an origin in its serialised form; only that exact spelling can ever match. */
function originProblem(origin: string): string | undefined {
  if (origin === 'null') return "is sent by sandboxed documents, local files and some redirects; allowing it would let any of those in"
  let url: URL
  try {
    url = new URL(origin)
  } catch {
    return 'is not an origin such as https://app.example'
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') return 'must use http or https'
  if (url.origin !== origin) return `must be written as the origin '${url.origin}' (lower-case host, no default port, no path or trailing slash)`
  return undefined
}
