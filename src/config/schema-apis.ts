// Schema of `apis`: APIs declared by their OpenAPI / Swagger document. Each one is expanded at load
// into one route per operation (src/config/apis/), so everything a route can do applies.
import { boolean, integer, mapOf, name, object, oneOf, string, type SchemaNode } from './schema-kit.ts'
import { policyMap } from './schema-routes.ts'

const HOST_PATTERN = '^(\\*\\.)?[A-Za-z0-9]([A-Za-z0-9-]*[A-Za-z0-9])?(\\.[A-Za-z0-9]([A-Za-z0-9-]*[A-Za-z0-9])?)*$'
const BASE_PATH_PATTERN = '^(/[^\\s?#{}]*)?$'

const SCHEME_SETTINGS: SchemaNode = {
  type: 'object',
  description: 'How one security scheme of the document is enforced: settings of the `jwt` policy (for `oauth2`, `openIdConnect` and `http` bearer schemes; `scopes` come from the document) or of the `api-key` policy (for `apiKey` schemes; header or query parameter come from the document).',
  additionalProperties: false,
  properties: {
    jwt: { type: 'object', description: 'Settings of the jwt policy, without `scopes`. Default for OAuth schemes when the file has a `keyManager` section: `issuers: [{ keyManager: true }]`.' },
    'api-key': { type: 'object', description: 'Settings of the api-key policy, without `header` / `queryParam` (the document names them).' },
  },
}

const OPERATION_SETTINGS: SchemaNode = object('Settings of one operation, replacing the API\'s.', {
  mock: { type: 'boolean', description: 'Answer this operation from its examples instead of the upstream (`true`), or from the upstream although the API is mocked (`false`). Default: the API\'s `mock`.' },
  mockStatus: { type: 'integer', minimum: 100, maximum: 599, description: 'Status of the declared response a mock answers with. Default: the lowest declared 2xx.' },
  validateRequests: { type: 'boolean', description: 'Check requests of this operation against the document. Default: the API\'s `validation.requests`.' },
  policies: policyMap('Extra policies of this operation\'s route, by name.'),
})

const API: SchemaNode = object('An API described by an OpenAPI 3.0 / 3.1 or Swagger 2.0 document.', {
  name: name('Name of the API, unique; its routes are named `<api>.<operationId>` (or `<api>.<METHOD> <path>`).'),
  spec: string('Path of the OpenAPI / Swagger document (YAML or JSON), relative to this file. `$ref`s to other local files are followed.'),
  upstream: string('Name of the upstream (under `upstreams`) that receives the requests. Not needed when every operation is mocked.'),
  basePath: string('Path prefix the operations are served under. Default: the document\'s `basePath` (2.0) or the path of its first `servers` URL (3.x).', { minLength: 0, pattern: BASE_PATH_PATTERN, patternMessage: 'must be empty or start with "/", without spaces, "?", "#" or braces' }),
  stripBasePath: boolean('Remove the base path before forwarding (the upstream serves the paths without it).', false),
  hosts: {
    type: 'array',
    description: 'Host names the API is served on (exact, or `*.example.com`). Empty: any host.',
    default: [],
    uniqueItems: true,
    items: string('A host name.', { pattern: HOST_PATTERN, patternMessage: 'must be a host name like api.example.com or *.example.com (no port)' }),
  },
  preserveHost: boolean('Send the client\'s Host header upstream instead of the target\'s.', false),
  allowRemoteRefs: boolean('Follow `$ref`s to http(s) URLs. Off by default: a document must not make the gateway fetch arbitrary addresses.', false),
  security: mapOf('Enforcement settings per security scheme name of the document.', SCHEME_SETTINGS),
  scopeMatch: oneOf('`all`: a token needs every scope of the operation\'s security requirement (OpenAPI\'s rule); `any`: one of them is enough (light-4j\'s reading, where `[api_a.r, api_a.w]` grants either).', ['all', 'any'], 'all'),
  validation: object('Checks against the document.', {
    requests: boolean('Check each request\'s parameters, content type and JSON or form body; failures get 400 GH_ERR_REQUEST_INVALID (415 for the content type) and never reach the upstream.', true),
    maxBodyBytes: integer('Largest request body read to be checked (JSON and form bodies): a larger one gets 413 GH_ERR_BODY_TOO_LARGE. Checking holds the body in memory and parses it on the event loop, so this is kept well below `limits.maxBodySize`.', 1, 64 * 1024 * 1024, 1024 * 1024),
    responses: oneOf('Check upstream responses: `off`; `log` (a warning per mismatch, the response passes unchanged); `enforce` (a mismatch becomes 502 GH_ERR_RESPONSE_INVALID). Responses up to 1 MiB are checked; checking buffers them.', ['off', 'log', 'enforce'], 'off'),
  }, { default: {} }),
  mock: boolean('Answer every operation from the document\'s examples (or values generated from its schemas) instead of the upstream.', false),
  operations: mapOf('Settings per operationId.', OPERATION_SETTINGS),
  policies: policyMap('Extra policies of every route of this API, by name (as a route\'s `policies`).'),
}, { required: ['name', 'spec'] })

export const APIS: SchemaNode = {
  type: 'array',
  description: 'APIs declared by their OpenAPI or Swagger document: routes, security, scopes, validation and mocks come from the document.',
  default: [],
  items: API,
}
