// Value checks JSON Schema cannot express well. Each returns a message, or undefined when the
// value is fine. Messages never repeat the value itself: it may have come from the environment.
import { isIP } from 'node:net'
import { HTTP_METHODS } from './schema-routes.ts'

const KNOWN_METHODS: ReadonlySet<string> = new Set(HTTP_METHODS)

/** Upstream target URLs: plain http to a host, nothing else (ADM-07: no file:, no other schemes). */
export function targetUrlProblem(text: string): string | undefined {
  let url: URL
  try {
    url = new URL(text)
  } catch {
    return 'must be a URL like http://host:port'
  }
  if (url.protocol === 'https:') return 'https targets are not supported yet; use http://'
  if (url.protocol !== 'http:') return `scheme "${url.protocol.slice(0, -1)}" is not allowed; use http://`
  if (url.hostname === '') return 'must name a host'
  if (url.username !== '' || url.password !== '') return 'must not contain credentials'
  if (url.pathname !== '/' || url.search !== '' || url.hash !== '') return 'must not have a path, query or fragment (paths belong to routes)'
  return undefined
}

/** `http://a:80/` → `http://a` style canonical origin, the form the upstream client gets. */
export function canonicalTarget(text: string): string {
  return new URL(text).origin
}

/** An address or CIDR range; returns it in CIDR form (`10.0.0.1` → `10.0.0.1/32`). */
export function toCidr(text: string): string | undefined {
  const [address, prefix, ...rest] = text.split('/')
  const family = isIP(address)
  if (family === 0 || rest.length > 0) return undefined
  const maxBits = family === 4 ? 32 : 128
  if (prefix === undefined) return `${address}/${maxBits}`
  if (!/^[0-9]{1,3}$/.test(prefix) || Number(prefix) > maxBits) return undefined
  return `${address}/${Number(prefix)}`
}

export function unknownMethod(method: string): boolean {
  return !KNOWN_METHODS.has(method)
}

/** `[204, "200-299"]` → sorted unique status codes; undefined when a range is reversed. */
export function expandStatuses(entries: ReadonlyArray<number | string>): number[] | undefined {
  const statuses = new Set<number>()
  for (const entry of entries) {
    if (typeof entry === 'number') {
      statuses.add(entry)
      continue
    }
    const [low, high] = entry.split('-').map(Number)
    if (low > high) return undefined
    for (let status = low; status <= high; status++) statuses.add(status)
  }
  return [...statuses].sort((a, b) => a - b)
}

export function isLoopbackHost(host: string): boolean {
  const lower = host.toLowerCase()
  if (lower === 'localhost' || lower === '::1' || lower === '[::1]') return true
  const v4 = lower.startsWith('::ffff:') ? lower.slice(7) : lower
  return isIP(v4) === 4 && v4.startsWith('127.')
}

export function isWildcardHost(host: string): boolean {
  return host === '0.0.0.0' || host === '::' || host === '[::]'
}
