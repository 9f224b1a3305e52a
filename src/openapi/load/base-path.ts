// The path prefix every operation is served under: Swagger 2.0 `basePath`, or the path of the
// first OpenAPI 3 server URL with its variables set to their defaults.
import { isObject } from './pointer.ts'
import type { SpecVersion } from './context.ts'

export function basePathOf(version: SpecVersion, root: Record<string, unknown>): string {
  if (version === '2.0') return trimSlash(typeof root.basePath === 'string' ? root.basePath : '')
  const first = Array.isArray(root.servers) ? root.servers[0] : undefined
  if (!isObject(first) || typeof first.url !== 'string') return ''
  const variables = isObject(first.variables) ? first.variables : {}
  const url = first.url.replace(/\{([^}]*)\}/g, (_, name: string) => {
    const variable = variables[name]
    return isObject(variable) && variable.default !== undefined ? String(variable.default) : ''
  })
  return trimSlash(pathOf(url))
}

/** The path of an absolute (`https://api.example.com/v1`), scheme-relative or relative server URL. */
function pathOf(url: string): string {
  if (/^[a-z][a-z0-9+.-]*:\/\//i.test(url) || url.startsWith('//')) {
    try {
      return new URL(url, 'http://localhost').pathname
    } catch {
      return ''
    }
  }
  const path = url.replace(/[?#].*$/, '')
  // A relative URL is relative to where the document is served; for a gateway that is its root.
  return path.startsWith('/') ? path : '/' + path.replace(/^\.\//, '')
}

function trimSlash(path: string): string {
  return path.replace(/\/+$/, '')
}
