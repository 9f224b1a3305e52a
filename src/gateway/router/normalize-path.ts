import { GatehouseError } from '../../core/errors/gatehouse-error.ts'

// One normalised path serves routing, policies and the upstream alike, so a path can never match
// one route and be forwarded as another (CVE-2019-9901, CVE-2021-29492 in other gateways).
//   - percent-encoded unreserved characters are decoded (RFC 3986 §6.2.2.2), `%2e` included;
//   - encoded `/` and `\` are refused (GH_ERR_ENCODED_PATH_DELIMITER), encoded NUL always;
//   - other escapes stay encoded (upper-cased), as one opaque segment character;
//   - repeated slashes are merged and dot segments removed (RFC 3986 §5.2.4).
// Matching is case-sensitive and a trailing slash is significant, for routing and policies alike.

const NEEDS_WORK = /%|\/\.|\/\/|\\/
// `..;x` and `.;x`: servlet containers drop the parameter and then read a dot segment.
const DOT_SEGMENT_WITH_PARAMS = /\/\.{1,2};/
const HEX = '0123456789ABCDEF'

export function normalizePath(raw: string): string {
  if (raw.charCodeAt(0) !== 47 /* / */) throw new GatehouseError('GH_ERR_BAD_PATH', 'request path must start with "/"')
  if (!NEEDS_WORK.test(raw)) return raw
  if (raw.includes('\\')) throw new GatehouseError('GH_ERR_BAD_PATH', 'backslash in request path')
  const decoded = raw.includes('%') ? decodeUnreserved(raw) : raw
  if (DOT_SEGMENT_WITH_PARAMS.test(decoded)) throw new GatehouseError('GH_ERR_BAD_PATH', 'dot segment with parameters in request path')
  return removeDotSegments(decoded.replace(/\/{2,}/g, '/'))
}

function decodeUnreserved(raw: string): string {
  let out = ''
  for (let i = 0; i < raw.length; i++) {
    const c = raw[i]
    if (c !== '%') {
      out += c
      continue
    }
    const hi = i + 2 < raw.length ? HEX.indexOf(raw[i + 1].toUpperCase()) : -1
    const lo = i + 2 < raw.length ? HEX.indexOf(raw[i + 2].toUpperCase()) : -1
    if (hi === -1 || lo === -1) throw new GatehouseError('GH_ERR_BAD_PATH', 'malformed percent-encoding in request path')
    const code = hi * 16 + lo
    i += 2
    if (code === 0) throw new GatehouseError('GH_ERR_BAD_PATH', 'encoded NUL in request path')
    if (code === 0x2f || code === 0x5c) throw new GatehouseError('GH_ERR_ENCODED_PATH_DELIMITER', 'encoded "/" or "\\" in request path')
    out += isUnreserved(code) ? String.fromCharCode(code) : '%' + HEX[hi] + HEX[lo]
  }
  return out
}

function isUnreserved(code: number): boolean {
  return (code >= 0x41 && code <= 0x5a) || (code >= 0x61 && code <= 0x7a) || (code >= 0x30 && code <= 0x39) || code === 0x2d || code === 0x2e || code === 0x5f || code === 0x7e
}

function removeDotSegments(path: string): string {
  const segments = path.split('/')
  const out: string[] = []
  for (let i = 1; i < segments.length; i++) {
    const segment = segments[i]
    const last = i === segments.length - 1
    if (segment === '.' || segment === '..') {
      if (segment === '..') out.pop()
      if (last) out.push('')
    } else {
      out.push(segment)
    }
  }
  return '/' + out.join('/')
}
