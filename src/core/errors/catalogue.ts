// Every error Gatehouse itself produces has a stable code here. docs/errors.md lists the same
// codes (a test keeps the two in step); clients and dashboards may rely on them never changing.
export const CATALOGUE = {
  // Requests the gateway refuses before routing.
  GH_ERR_BAD_REQUEST: { status: 400, title: 'Malformed HTTP request' },
  GH_ERR_BAD_FRAMING: { status: 400, title: 'Ambiguous or malformed message framing' },
  GH_ERR_BAD_PATH: { status: 400, title: 'Request path is not acceptable' },
  GH_ERR_ENCODED_PATH_DELIMITER: { status: 400, title: 'Encoded path delimiter in request path' },
  GH_ERR_REQUEST_TIMEOUT: { status: 408, title: 'Request not received in time' },
  GH_ERR_BODY_TOO_LARGE: { status: 413, title: 'Request body too large' },
  GH_ERR_URI_TOO_LONG: { status: 414, title: 'Request target too long' },
  GH_ERR_EXPECTATION_FAILED: { status: 417, title: 'Expectation not supported' },
  GH_ERR_HEADERS_TOO_LARGE: { status: 431, title: 'Request header fields too large' },
  // Routing.
  GH_ERR_ROUTE_NOT_FOUND: { status: 404, title: 'No route matches the request' },
  // Built-in policies.
  GH_ERR_IP_FORBIDDEN: { status: 403, title: 'Client address not allowed' },
  GH_ERR_CORS_REJECTED: { status: 403, title: 'Cross-origin request not allowed' },
  // Inbound authentication (jwt policy): RFC 6750 challenges go with these.
  GH_ERR_AUTH_TOKEN_MISSING: { status: 401, title: 'Access token required' },
  GH_ERR_AUTH_TOKEN_INVALID: { status: 401, title: 'Access token is not valid' },
  GH_ERR_AUTH_INSUFFICIENT_SCOPE: { status: 403, title: 'Access token lacks a required scope' },
  GH_ERR_AUTH_BAD_REQUEST: { status: 400, title: 'Malformed authentication request' },
  GH_ERR_AUTH_KEYS_UNAVAILABLE: { status: 503, title: 'Token signing keys are not available' },
  GH_ERR_AUTH_INTROSPECTION_UNAVAILABLE: { status: 503, title: 'The token introspection endpoint did not answer' },
  // Inbound authentication (api-key policy).
  GH_ERR_AUTH_KEY_MISSING: { status: 401, title: 'API key required' },
  GH_ERR_AUTH_KEY_INVALID: { status: 401, title: 'API key is not valid' },
  GH_ERR_AUTH_CONSUMER_SUSPENDED: { status: 403, title: 'Consumer is suspended' },
  GH_ERR_AUTH_TOO_MANY_FAILURES: { status: 429, title: 'Too many failed API key checks from this client address' },
  // Spec-driven APIs (openapi): request checked against its operation, answers from examples.
  GH_ERR_REQUEST_INVALID: { status: 400, title: 'Request does not match the API description' },
  GH_ERR_UNSUPPORTED_MEDIA_TYPE: { status: 415, title: 'Request content type not accepted by the operation' },
  GH_ERR_RESPONSE_INVALID: { status: 502, title: 'Upstream response does not match the API description' },
  GH_ERR_MOCK_UNAVAILABLE: { status: 501, title: 'The operation has no example to answer with' },
  GH_ERR_POLICY_FAILED: { status: 500, title: 'A policy failed while handling the request' },
  GH_ERR_PHASE_VIOLATION: { status: 500, title: 'A policy acted outside its phase' },
  // Upstream dispatch.
  GH_ERR_UPSTREAM_CONNECT_FAILED: { status: 502, title: 'Could not connect to the upstream' },
  GH_ERR_UPSTREAM_PROTOCOL_ERROR: { status: 502, title: 'Upstream sent an invalid HTTP response' },
  GH_ERR_UPSTREAM_RESET: { status: 502, title: 'Upstream closed the connection before responding' },
  GH_ERR_UPSTREAM_UNAVAILABLE: { status: 503, title: 'No healthy upstream target' },
  GH_ERR_UPSTREAM_OVERLOADED: { status: 503, title: 'Upstream connection queue is full' },
  GH_ERR_UPSTREAM_TIMEOUT: { status: 504, title: 'Upstream did not respond in time' },
  // Process and operations.
  GH_ERR_SHUTTING_DOWN: { status: 503, title: 'Gateway is shutting down' },
  GH_ERR_INTERNAL: { status: 500, title: 'Internal gateway error' },
  GH_ERR_ADMIN_UNAUTHORIZED: { status: 401, title: 'Admin credential required' },
  GH_ERR_ADMIN_NOT_FOUND: { status: 404, title: 'No such admin resource' },
  GH_ERR_ADMIN_METHOD_NOT_ALLOWED: { status: 405, title: 'Method not allowed on this admin resource' },
  // Stores.
  GH_ERR_STORE_CONFLICT: { status: 409, title: 'A record with this identifier already exists' },
  GH_ERR_STORE_UNAVAILABLE: { status: 503, title: 'The store is unavailable' },
  // Configuration (CLI exit messages and admin reload answers).
  GH_ERR_CONFIG_FILE: { status: 400, title: 'Configuration file cannot be read' },
  GH_ERR_CONFIG_SYNTAX: { status: 400, title: 'Configuration file is not valid YAML' },
  GH_ERR_CONFIG_INVALID: { status: 400, title: 'Configuration value is not valid' },
  GH_ERR_CONFIG_UNKNOWN_FIELD: { status: 400, title: 'Configuration has an unknown field' },
  GH_ERR_CONFIG_ENV_MISSING: { status: 400, title: 'Configuration names an unset environment variable' },
  GH_ERR_CONFIG_REFERENCE: { status: 400, title: 'Configuration refers to something that does not exist' },
  GH_ERR_CONFIG_ROUTE_CONFLICT: { status: 400, title: 'Two routes match the same requests' },
  GH_ERR_CONFIG_TLS: { status: 400, title: 'TLS certificate or key cannot be loaded' },
  GH_ERR_CONFIG_ADMIN_UNPROTECTED: { status: 400, title: 'Admin listener exposed without a credential' },
  GH_ERR_CONFIG_SPEC: { status: 400, title: 'API description cannot be used' },
  GH_ERR_CONFIG_SPEC_DUPLICATE_OPERATION_ID: { status: 400, title: 'Two operations of an API description share an operationId' },
} as const satisfies Record<string, { status: number; title: string }>

export type ErrorCode = keyof typeof CATALOGUE
