/** Settings of the ip-restriction policy, after defaults are applied. */
export interface IpRestrictionSettings {
  allow: string[]
  deny: string[]
}

const ipList = (description: string) => ({
  type: 'array',
  description,
  default: [],
  items: { type: 'string', minLength: 1, maxLength: 64, description: 'An IPv4 or IPv6 address, or a CIDR block such as `10.0.0.0/8` or `2001:db8::/32`.' },
})

export const ipRestrictionSchema = {
  type: 'object',
  description: 'Allows or denies requests by client address. At least one of the two lists must be non-empty.',
  additionalProperties: false,
  properties: {
    allow: ipList('Addresses and CIDR blocks that may call the route. When non-empty, every other client is refused.'),
    deny: ipList('Addresses and CIDR blocks that are refused. A client matching both lists is refused.'),
  },
} as const
