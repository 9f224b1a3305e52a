import { BlockList, isIPv4 } from 'node:net'
import type { ForwardingConfig } from '../../config/types.ts'
import { queryParamName } from '../../kit/query-param.ts'

/** Connection-specific headers never forwarded in either direction (RFC 9110 §7.6.1). */
export const HOP_BY_HOP = new Set(['connection', 'keep-alive', 'proxy-connection', 'transfer-encoding', 'te', 'trailer', 'upgrade', 'proxy-authorization', 'proxy-authenticate'])

/**
 * Request headers the gateway owns: whatever the client sent under these names is dropped and the
 * gateway sets its own (SMUG-13). Underscore spellings are dropped too, because some frameworks
 * read `X_Forwarded_Host` as `X-Forwarded-Host`.
 */
export const GATEWAY_OWNED = new Set([
  'host', 'content-length', 'expect', 'x-forwarded-for', 'x-forwarded-proto', 'x-forwarded-host', 'x-forwarded-port',
  'x-forwarded-prefix', 'x-real-ip', 'forwarded', 'via', 'x-correlation-id', 'traceparent', 'tracestate',
  // Method overrides would let a client be authorised for one method and served another (PATH-09).
  'x-http-method-override', 'x-method-override', 'x-http-method',
])

const MAY_NAME_METHOD = /method/i

/**
 * The query without `_method` parameters (any case, percent-encoded or not): frameworks such as
 * Rails, Laravel and method-override middleware read `?_method=DELETE` as the request's method,
 * which would let a client be authorised for one method and served another (PATH-09).
 */
export function withoutMethodOverride(query: string): string {
  if (!MAY_NAME_METHOD.test(query)) return query
  return query.split('&').filter((part) => queryParamName(part) !== '_method').join('&')
}

const CORRELATION_ID = /^[A-Za-z0-9._:-]{1,128}$/
const TRACEPARENT = /^00-[0-9a-f]{32}-[0-9a-f]{16}-[0-9a-f]{2}$/

/** Compiled trust settings for X-Forwarded-* and Forwarded. */
export class ForwardingRules {
  readonly via: boolean
  readonly forwarded: boolean
  #trusted: BlockList | null

  constructor(config: ForwardingConfig) {
    this.via = config.via
    this.forwarded = config.forwarded
    if (config.trustedProxies.length === 0) {
      this.#trusted = null
    } else {
      const list = new BlockList()
      for (const cidr of config.trustedProxies) {
        const [address, prefix] = cidr.split('/')
        const type = isIPv4(address) ? 'ipv4' : 'ipv6'
        if (prefix === undefined) list.addAddress(address, type)
        else list.addSubnet(address, Number(prefix), type)
      }
      this.#trusted = list
    }
  }

  isTrusted(address: string): boolean {
    if (this.#trusted === null || address === '') return false
    const plain = unmapIPv4(address)
    return this.#trusted.check(plain, isIPv4(plain) ? 'ipv4' : 'ipv6')
  }

  /**
   * The client's address: the socket peer unless the peer is a trusted proxy, in which case the
   * right-most address of X-Forwarded-For that is not itself a trusted proxy (RFC 7239 §8, RATE-06).
   */
  clientAddress(peer: string, forwardedFor: string | undefined): string {
    if (forwardedFor === undefined || !this.isTrusted(peer)) return unmapIPv4(peer)
    const hops = forwardedFor.split(',')
    for (let i = hops.length - 1; i >= 0; i--) {
      const hop = hops[i].trim()
      if (hop !== '' && !this.isTrusted(hop)) return unmapIPv4(hop)
    }
    return unmapIPv4(hops[0].trim() || peer)
  }
}

export function unmapIPv4(address: string): string {
  return address.startsWith('::ffff:') && isIPv4(address.slice(7)) ? address.slice(7) : address
}

export function validCorrelationId(value: string | undefined): value is string {
  return value !== undefined && CORRELATION_ID.test(value)
}

export function validTraceparent(value: string | undefined): value is string {
  return value !== undefined && TRACEPARENT.test(value) && !value.startsWith('00-00000000000000000000000000000000') && !value.includes('-0000000000000000-')
}

/** `for=` value of a Forwarded element: IPv6 addresses are bracketed and quoted (RFC 7239 §6). */
export function forwardedNode(address: string): string {
  return address.includes(':') ? `"[${address}]"` : address
}
