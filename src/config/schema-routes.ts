// Schema of `routes` and of the policy maps (global and per route). Policy settings themselves are
// checked against each policy's own schema by policies.ts; here they only need to be objects.
import { boolean, mapOf, name, oneOf, string, type SchemaNode } from './schema-kit.ts'

export const HTTP_METHODS = ['GET', 'HEAD', 'POST', 'PUT', 'DELETE', 'CONNECT', 'OPTIONS', 'TRACE', 'PATCH'] as const

const HOST_PATTERN = '^(\\*\\.)?[A-Za-z0-9]([A-Za-z0-9-]*[A-Za-z0-9])?(\\.[A-Za-z0-9]([A-Za-z0-9-]*[A-Za-z0-9])?)*$'
const HOST_MESSAGE = 'must be a host name like api.example.com or *.example.com (no port)'
const PATH_PATTERN = '^/[^\\s?#]*$'
const PATH_MESSAGE = 'must start with "/" and contain no spaces, "?" or "#"'

export function policyMap(description: string): SchemaNode {
  return mapOf(description, {
    type: ['object', 'null'],
    description: 'Settings of the policy named by the key, checked against that policy\'s schema. Empty: the policy\'s defaults.',
  })
}

const ROUTE: SchemaNode = {
  type: 'object',
  description: 'A route: which requests it matches and where they go.',
  additionalProperties: false,
  required: ['upstream'],
  properties: {
    name: name('Name of the route, unique; used in logs and metrics. Default: `route-<index>`.'),
    hosts: {
      type: ['string', 'array'],
      description: 'Host name or list of host names (exact, or `*.example.com` for any subdomain). Empty: any host.',
      default: [],
      pattern: HOST_PATTERN,
      patternMessage: HOST_MESSAGE,
      uniqueItems: true,
      items: string('A host name.', { pattern: HOST_PATTERN, patternMessage: HOST_MESSAGE }),
    },
    path: string('The route\'s path, for a route with one; otherwise use `paths`.', { pattern: PATH_PATTERN, patternMessage: PATH_MESSAGE }),
    paths: {
      type: ['string', 'array'],
      description: 'Paths the route matches (one of `path` and `paths` is required). `:name` segments match any one segment.',
      pattern: PATH_PATTERN,
      patternMessage: PATH_MESSAGE,
      minItems: 1,
      uniqueItems: true,
      items: string('A path.', { pattern: PATH_PATTERN, patternMessage: PATH_MESSAGE }),
    },
    match: oneOf('`prefix`: the path and everything below it (whole segments only); `exact`: the path only.', ['prefix', 'exact'], 'prefix'),
    methods: {
      type: 'array',
      description: `HTTP methods the route matches, in any case (${HTTP_METHODS.join(', ')}). Empty: every method.`,
      default: [],
      items: string('A method.', { pattern: '^[A-Za-z]+$', patternMessage: 'must be an HTTP method name' }),
    },
    stripPath: boolean('Remove the matched path prefix before forwarding.', false),
    preserveHost: boolean('Send the client\'s Host header upstream instead of the target\'s.', false),
    upstream: string('Name of the upstream (under `upstreams`) that receives the requests.'),
    policies: policyMap('Policies of this route by name. Settings given here replace the global settings of the same policy.'),
  },
}

export const ROUTES: SchemaNode = {
  type: 'array',
  description: 'Routes, each matching requests by host, method and path.',
  default: [],
  items: ROUTE,
}
