import { BlockList, isIP } from 'node:net'

export interface IpRule {
  address: string
  family: 'ipv4' | 'ipv6'
  /** Prefix length of a CIDR block; undefined for a single address. */
  prefix: number | undefined
}

/** Parses `1.2.3.4`, `10.0.0.0/8`, `2001:db8::1` or `2001:db8::/32`; returns why not otherwise. */
export function parseIpRule(entry: string): IpRule | string {
  const slash = entry.indexOf('/')
  const address = slash === -1 ? entry : entry.slice(0, slash)
  if (address.includes('%')) return 'zone identifiers (%…) are not supported'
  const version = isIP(address)
  if (version === 0) return 'is not an IPv4 or IPv6 address or CIDR block'
  const family = version === 4 ? 'ipv4' : 'ipv6'
  if (slash === -1) return { address, family, prefix: undefined }
  const maxPrefix = version === 4 ? 32 : 128
  const prefixText = entry.slice(slash + 1)
  const prefix = Number(prefixText)
  if (!/^\d{1,3}$/.test(prefixText) || prefix > maxPrefix) return `prefix length must be a whole number from 0 to ${maxPrefix} for ${version === 4 ? 'IPv4' : 'IPv6'}`
  return { address, family, prefix }
}

/** Problems with a list of entries, each naming `field[index]`. */
export function ipListProblems(field: string, entries: readonly string[]): string[] {
  const problems: string[] = []
  entries.forEach((entry, index) => {
    const rule = parseIpRule(entry)
    if (typeof rule === 'string') problems.push(`${field}[${index}]: '${entry}' ${rule}`)
  })
  return problems
}

/**
 * Compiles entries into a BlockList. Node's BlockList matches IPv4-mapped IPv6 addresses
 * (`::ffff:10.0.0.1`) against IPv4 rules and the other way round, so no rewriting is needed.
 * Entries must already have passed ipListProblems().
 */
export function compileIpList(entries: readonly string[]): BlockList {
  const list = new BlockList()
  for (const entry of entries) {
    const rule = parseIpRule(entry)
    if (typeof rule === 'string') throw new Error(`invalid IP rule '${entry}': ${rule}`)
    if (rule.prefix === undefined) list.addAddress(rule.address, rule.family)
    else list.addSubnet(rule.address, rule.prefix, rule.family)
  }
  return list
}
