import { GATEWAY_OWNED, HOP_BY_HOP } from './forwarding.ts'

/** What one pass over the client's raw headers yields. */
export interface ScannedHeaders {
  /** Headers to forward, flat name/value list, original case. */
  forward: string[]
  host: string | undefined
  /** More than one Host field: refused (RFC 9112 §3.2). */
  duplicateHost: boolean
  forwardedFor: string | undefined
  forwardedProto: string | undefined
  forwardedHost: string | undefined
  forwarded: string | undefined
  via: string | undefined
  correlationId: string | undefined
  traceparent: string | undefined
  tracestate: string | undefined
  contentLength: string | undefined
  chunked: boolean
  /** A Transfer-Encoding other than one `chunked`: refused before anything is forwarded. */
  badTransferEncoding: boolean
  /** Extra names listed in `Connection` (other than close / keep-alive), lower case. */
  connectionListed: string[] | null
}

/**
 * Splits the client's headers into the ones forwarded as they are and the ones the gateway owns,
 * in one pass and without building node's header object.
 */
export function scanRequestHeaders(raw: string[]): ScannedHeaders {
  const scanned: ScannedHeaders = {
    forward: [], host: undefined, duplicateHost: false, forwardedFor: undefined, forwardedProto: undefined, forwardedHost: undefined,
    forwarded: undefined, via: undefined, correlationId: undefined, traceparent: undefined, tracestate: undefined,
    contentLength: undefined, chunked: false, badTransferEncoding: false, connectionListed: null,
  }
  const forward = scanned.forward
  for (let i = 0; i < raw.length; i += 2) {
    const name = raw[i]
    const value = raw[i + 1]
    const lower = name.toLowerCase()
    switch (lower) {
      case 'host':
        if (scanned.host !== undefined) scanned.duplicateHost = true
        scanned.host = value
        continue
      case 'x-forwarded-for': scanned.forwardedFor = scanned.forwardedFor === undefined ? value : `${scanned.forwardedFor}, ${value}`; continue
      case 'x-forwarded-proto': scanned.forwardedProto ??= value; continue
      case 'x-forwarded-host': scanned.forwardedHost ??= value; continue
      case 'forwarded': scanned.forwarded = scanned.forwarded === undefined ? value : `${scanned.forwarded}, ${value}`; continue
      case 'via': scanned.via = scanned.via === undefined ? value : `${scanned.via}, ${value}`; continue
      case 'x-correlation-id': scanned.correlationId ??= value; continue
      case 'traceparent': scanned.traceparent = scanned.traceparent === undefined ? value : ''; continue
      case 'tracestate': scanned.tracestate = scanned.tracestate === undefined ? value : `${scanned.tracestate},${value}`; continue
      case 'content-length': scanned.contentLength = value; continue
      case 'transfer-encoding':
        // Only a lone `chunked` is accepted: node's parser reports other codings only once it
        // reaches the body, after the request was dispatched (SMUG-03).
        if (scanned.chunked || value.trim().toLowerCase() !== 'chunked') scanned.badTransferEncoding = true
        scanned.chunked = true
        continue
      case 'connection': collectConnectionTokens(scanned, value); continue
    }
    if (HOP_BY_HOP.has(lower) || GATEWAY_OWNED.has(lower)) continue
    if (lower.startsWith('x-gatehouse-')) continue
    if (lower.includes('_') && GATEWAY_OWNED.has(lower.replaceAll('_', '-'))) continue
    forward.push(name, value)
  }
  if (scanned.connectionListed !== null) removeListed(forward, scanned.connectionListed)
  return scanned
}

function collectConnectionTokens(scanned: ScannedHeaders, value: string): void {
  for (const part of value.split(',')) {
    const token = part.trim().toLowerCase()
    if (token === '' || token === 'close' || token === 'keep-alive') continue
    ;(scanned.connectionListed ??= []).push(token)
  }
}

/** Removes every field whose lower-case name is in `names`. */
export function removeListed(flat: string[], names: string[]): void {
  let write = 0
  for (let read = 0; read < flat.length; read += 2) {
    if (names.includes(flat[read].toLowerCase())) continue
    flat[write] = flat[read]
    flat[write + 1] = flat[read + 1]
    write += 2
  }
  flat.length = write
}

/** Response headers the client may see: hop-by-hop ones and those the upstream's Connection names are dropped. */
export function filterResponseHeaders(raw: string[]): string[] {
  const out: string[] = []
  let listed: string[] | null = null
  for (let i = 0; i < raw.length; i += 2) {
    const name = raw[i]
    const lower = name.toLowerCase()
    if (lower === 'connection') {
      for (const part of raw[i + 1].split(',')) {
        const token = part.trim().toLowerCase()
        if (token !== '' && token !== 'close' && token !== 'keep-alive') (listed ??= []).push(token)
      }
      continue
    }
    if (HOP_BY_HOP.has(lower)) continue
    out.push(name, raw[i + 1])
  }
  if (listed !== null) removeListed(out, listed)
  return out
}
