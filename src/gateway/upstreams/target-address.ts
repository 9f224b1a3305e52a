import { GatehouseError } from '../../core/errors/gatehouse-error.ts'

/** Where a target listens, in the forms the balancer, the pool and the Host header need. */
export interface TargetAddress {
  /** Host name or IP address as given to `net.connect` (IPv6 without brackets). */
  host: string
  port: number
  /** `host:port`, IPv6 in brackets: unique within an upstream, used in logs and health reports. */
  id: string
  /** Host header value: the host alone on port 80, `host:port` otherwise. */
  authority: string
}

/**
 * Parses a target URL of the form `http://host:port`. `where` names the config field
 * (e.g. `upstreams.api.targets[0].url`) so a bad value is reported where it was written.
 */
export function parseTargetAddress(url: unknown, where: string): TargetAddress {
  if (typeof url !== 'string') throw invalid(where, `must be a URL string like http://host:port, got ${typeof url}`)
  let parsed: URL
  try {
    parsed = new URL(url)
  } catch {
    throw invalid(where, `"${url}" is not a valid URL; expected http://host:port`)
  }
  if (parsed.protocol === 'https:') throw invalid(where, `"${url}": https targets are not supported yet; use http://host:port`)
  if (parsed.protocol !== 'http:') throw invalid(where, `"${url}": scheme must be http`)
  // Credentials would have to travel in a header the proxy does not add; a path or query would
  // silently be dropped. Both are refused so the config says exactly what is sent.
  if (parsed.username !== '' || parsed.password !== '') throw invalid(where, 'must not contain credentials')
  if (parsed.pathname !== '/' || parsed.search !== '' || parsed.hash !== '') {
    throw invalid(where, `"${url}" must not have a path, query or fragment; expected http://host:port`)
  }
  // WHATWG URL leaves the default port out (`port` is '' for 80) and keeps IPv6 in brackets.
  const port = parsed.port === '' ? 80 : Number(parsed.port)
  if (port < 1 || port > 65535) throw invalid(where, `"${url}": port must be between 1 and 65535`)
  const bracketed = parsed.hostname
  const host = bracketed.startsWith('[') ? bracketed.slice(1, -1) : bracketed
  const id = `${bracketed}:${port}`
  return { host, port, id, authority: port === 80 ? bracketed : id }
}

function invalid(where: string, message: string): GatehouseError {
  return new GatehouseError('GH_ERR_CONFIG_INVALID', `${where}: ${message}`)
}
