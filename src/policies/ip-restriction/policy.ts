import { isIP } from 'node:net'
import { GatehouseError } from '../../core/errors/gatehouse-error.ts'
import type { RequestContext } from '../../kit/context.ts'
import type { PolicyDefinition } from '../../kit/policy.ts'
import { compileIpList, ipListProblems } from './ip-rules.ts'
import { ipRestrictionSchema, type IpRestrictionSettings } from './schema.ts'

const FORBIDDEN_DETAIL = 'Client address is not allowed on this route'

function settingsProblems(settings: IpRestrictionSettings): string[] {
  const problems = [...ipListProblems('allow', settings.allow), ...ipListProblems('deny', settings.deny)]
  if (settings.allow.length === 0 && settings.deny.length === 0) problems.push('allow, deny: list at least one address or CIDR block in one of them')
  return problems
}

export const ipRestrictionPolicy: PolicyDefinition<IpRestrictionSettings> = {
  name: 'ip-restriction',
  description: 'Allows or denies requests by client address (IPv4, IPv6 and CIDR blocks).',
  schema: ipRestrictionSchema,
  check: settingsProblems,
  create(settings) {
    const problems = settingsProblems(settings)
    if (problems.length > 0) throw new GatehouseError('GH_ERR_CONFIG_INVALID', `ip-restriction: ${problems.join('; ')}`)
    const deny = settings.deny.length > 0 ? compileIpList(settings.deny) : undefined
    const allow = settings.allow.length > 0 ? compileIpList(settings.allow) : undefined

    return {
      // clientIp is the gateway's decision about who is calling (socket peer, or the right-most
      // untrusted forwarded address when trusted proxies are configured). Reading X-Forwarded-For
      // here would let any client pick its own address, so this policy never looks at headers.
      onRequest: function restrictClientIp(ctx: RequestContext): void {
        let ip = ctx.request.clientIp
        let family: 'ipv4' | 'ipv6' = 'ipv4'
        if (ip.includes(':')) {
          family = 'ipv6'
          // Link-local peers can carry a zone (`fe80::1%eth0`) that BlockList does not parse.
          const zone = ip.indexOf('%')
          if (zone !== -1) ip = ip.slice(0, zone)
        }
        if (deny !== undefined && deny.check(ip, family)) throw new GatehouseError('GH_ERR_IP_FORBIDDEN', FORBIDDEN_DETAIL)
        if (allow !== undefined) {
          if (!allow.check(ip, family)) throw new GatehouseError('GH_ERR_IP_FORBIDDEN', FORBIDDEN_DETAIL)
          return
        }
        // BlockList answers "no match" for anything it cannot parse; with only a deny list that
        // would wave through an address nobody can classify, so refuse it instead (fail closed).
        if (isIP(ip) === 0) throw new GatehouseError('GH_ERR_IP_FORBIDDEN', FORBIDDEN_DETAIL)
      },
    }
  },
}
