/** One trusted token issuer, after defaults are applied. */
export interface IssuerSettings {
  /** Absent only with `keyManager: true`, which takes it from the key manager. */
  issuer?: string
  /** This gateway's own key manager: issuer, keys, algorithms and audience come from it. */
  keyManager: boolean
  jwksUri?: string
  /** kid → certificate or public-key PEM file, relative to the config directory. */
  certificates?: Record<string, string>
  /** Absent only with `keyManager: true` (then every algorithm the key manager signs with). */
  algorithms?: string[]
  audience?: string | string[]
  allowAnyAudience: boolean
  clockSkewSeconds: number
  requiredClaims: string[]
  typ?: string
}

export interface TokenSourceSettings {
  header: string
  /** Authentication scheme before the token; empty when the header holds the bare token. */
  scheme: string
  allowQueryToken: boolean
}

export interface IdentityHeaderSettings {
  subject?: string
  clientId?: string
  scopes?: string
  consumerId?: string
}

export interface JwksSettings {
  refreshSeconds: number
  refetchCooldownSeconds: number
  fetchTimeoutMs: number
}

/** Opaque (or any) tokens checked at an RFC 7662 introspection endpoint. */
export interface IntrospectionSettings {
  endpoint: string
  clientId: string
  clientSecret: string
  timeoutMs: number
  maxConcurrent: number
  /** Required `iss` in an active answer. */
  issuer?: string
  /** The answer's `aud` must name one of these. */
  audience?: string | string[]
  cache: { maxEntries: number; ttlSeconds: number; negativeTtlSeconds: number }
}

/** Settings of the jwt policy, after defaults are applied. */
export interface JwtSettings {
  /** JWTs verified locally; absent when every token goes to `introspection`. */
  issuers?: IssuerSettings[]
  introspection?: IntrospectionSettings
  /** Required scopes: one list for every method, or lists per method. */
  scopes?: string[] | Record<string, string[]>
  /** `all`: every listed scope is required; `any`: one of them is enough. */
  scopeMatch: 'all' | 'any'
  tokenSources: TokenSourceSettings
  forwardAuthorization: boolean
  identityHeaders: IdentityHeaderSettings
  cache: { maxEntries: number }
  jwks: JwksSettings
  maxTokenBytes: number
  realm: string
}

/** RFC 9110 §5.6.2 token: the syntax of header field names and methods. */
const TOKEN_PATTERN = "^[!#$%&'*+.^_`|~0-9A-Za-z-]+$"
/**
 * RFC 6749 §3.3 scope-token. It also keeps `"` and `\` out, so a scope can be quoted in a
 * WWW-Authenticate challenge as it is.
 */
export const SCOPE_PATTERN = '^[\\x21\\x23-\\x5B\\x5D-\\x7E]+$'
/** Printable ASCII without `"` and `\`: safe inside a quoted challenge parameter. */
const QUOTABLE_PATTERN = '^[\\x20\\x21\\x23-\\x5B\\x5D-\\x7E]+$'

const scopeList = (description: string) => ({
  type: 'array',
  description,
  items: { type: 'string', pattern: SCOPE_PATTERN, description: 'A scope, compared exactly (no prefix or case folding).' },
})

const headerName = (description: string) => ({ type: 'string', pattern: TOKEN_PATTERN, description })

const issuerSchema = {
  type: 'object',
  description: 'An authorization server whose access tokens this route accepts.',
  additionalProperties: false,
  properties: {
    issuer: { type: 'string', minLength: 1, maxLength: 2048, description: 'Expected `iss` claim, compared exactly (`https://as.example` does not match `https://as.example/`). Required unless `keyManager` is true.' },
    keyManager: { type: 'boolean', default: false, description: 'Trust this gateway\'s own key manager (the `keyManager` section): its issuer, its signing keys (read in memory, rotations picked up without a restart), every algorithm it signs with and, unless `audience` is given, the audience of its tokens. Give no `issuer`, `jwksUri` or `certificates` with it.' },
    jwksUri: { type: 'string', minLength: 1, maxLength: 2048, description: 'http(s) URL of the issuer\'s JWK Set. Give this or `certificates`.' },
    certificates: {
      type: 'object',
      description: 'Verification keys by `kid`: the path of a PEM certificate or public key, relative to the config file\'s directory. Give this or `jwksUri`.',
      propertyNames: { type: 'string', minLength: 1, maxLength: 256 },
      additionalProperties: { type: 'string', minLength: 1, description: 'Path of a PEM certificate or public key.' },
    },
    algorithms: {
      type: 'array',
      description: 'Accepted `alg` values, e.g. `[RS256]`. Required unless `keyManager` is true. `none` and HMAC (HS*) algorithms are refused.',
      items: { type: 'string', description: 'A JWS algorithm: RS256, RS384, RS512, PS256, PS384, PS512, ES256, ES384, ES512 or EdDSA.' },
    },
    audience: {
      description: 'Accepted `aud` values: the token\'s `aud` must name one of them. Required unless `allowAnyAudience` is true; with `keyManager` the default is the audience of the key manager\'s tokens.',
      anyOf: [
        { type: 'string', minLength: 1, description: 'One accepted audience.' },
        { type: 'array', items: { type: 'string', minLength: 1, description: 'An accepted audience.' }, description: 'Accepted audiences.' },
      ],
    },
    allowAnyAudience: { type: 'boolean', default: false, description: 'Accept tokens for any audience. Only for issuers that mint tokens for this API alone.' },
    clockSkewSeconds: { type: 'integer', minimum: 0, maximum: 600, default: 30, description: 'Leeway for `exp`, `nbf` and `iat`, in seconds.' },
    requiredClaims: {
      type: 'array',
      default: ['exp'],
      description: 'Claims that must be present. `iss` (and `aud` when an audience is set) are always required.',
      items: { type: 'string', pattern: SCOPE_PATTERN, description: 'A claim name.' },
    },
    typ: { type: 'string', pattern: QUOTABLE_PATTERN, description: 'Required header `typ`, e.g. `at+jwt` (RFC 9068); `application/at+jwt` matches too. With `keyManager` the default is `at+jwt`.' },
  },
}

const introspectionSchema = {
  type: 'object',
  description: 'Checks tokens at an RFC 7662 introspection endpoint: every token when `issuers` is absent, otherwise the tokens that are not JWTs.',
  additionalProperties: false,
  required: ['endpoint', 'clientId', 'clientSecret'],
  properties: {
    endpoint: { type: 'string', minLength: 1, maxLength: 2048, description: 'http(s) URL of the introspection endpoint, e.g. `https://as.example/oauth2/introspect`.' },
    clientId: { type: 'string', minLength: 1, maxLength: 256, description: 'Client id the gateway authenticates with (client_secret_basic). With Gatehouse\'s key manager, register the gateway as a `trusted` client so it may see every token.' },
    clientSecret: { type: 'string', minLength: 1, maxLength: 1024, description: 'Secret of that client; use `${env:NAME}`.' },
    timeoutMs: { type: 'integer', minimum: 100, maximum: 10_000, default: 2000, description: 'Longest an introspection call may take, answer included; past it the request is refused with 503.' },
    maxConcurrent: { type: 'integer', minimum: 1, maximum: 1024, default: 64, description: 'Most introspection calls in flight from this route; a request that would start one more is refused with 503 (Retry-After: 1).' },
    issuer: { type: 'string', minLength: 1, maxLength: 2048, description: 'Required `iss` of an active answer, compared exactly.' },
    audience: {
      description: 'Accepted `aud` values: an active answer\'s `aud` must name one of them.',
      anyOf: [
        { type: 'string', minLength: 1, description: 'One accepted audience.' },
        { type: 'array', items: { type: 'string', minLength: 1, description: 'An accepted audience.' }, description: 'Accepted audiences.' },
      ],
    },
    cache: {
      type: 'object',
      description: 'Introspection answers kept by the SHA-256 digest of the token.',
      additionalProperties: false,
      default: {},
      properties: {
        maxEntries: { type: 'integer', minimum: 0, maximum: 1_000_000, default: 10_000, description: 'Most answers kept, active and inactive each; 0 turns caching off.' },
        ttlSeconds: { type: 'integer', minimum: 0, maximum: 3600, default: 60, description: 'How long an active answer is kept; never past the token\'s `exp`. A revoked token is refused at the latest this long after its revocation.' },
        negativeTtlSeconds: { type: 'integer', minimum: 0, maximum: 300, default: 5, description: 'How long an inactive answer is kept.' },
      },
    },
  },
}

export const jwtSchema = {
  type: 'object',
  description: 'Validates JWT access tokens (RFC 9068 / RFC 6750 Bearer) and requires scopes per method.',
  additionalProperties: false,
  properties: {
    issuers: { type: 'array', description: 'Trusted issuers of JWT access tokens, verified locally. A token is checked against the one its `iss` names. Give this, `introspection`, or both.', items: issuerSchema },
    introspection: introspectionSchema,
    scopes: {
      description: 'Required scopes, all of which the token must hold: a list for every method, or a map from method (any case) to list (HEAD falls back to GET, `*` covers methods not listed; a method in neither is refused).',
      anyOf: [
        scopeList('Scopes required for every method.'),
        {
          type: 'object',
          description: 'Scopes required per method.',
          propertyNames: { type: 'string', pattern: "^(\\*|[!#$%&'*+.^_`|~0-9A-Za-z-]+)$" },
          additionalProperties: scopeList('Scopes required for this method.'),
        },
      ],
    },
    scopeMatch: {
      type: 'string',
      enum: ['all', 'any'],
      default: 'all',
      description: '`all`: the token must hold every scope listed for the method; `any`: one of them is enough (RFC 6750 challenges then name the alternatives).',
    },
    tokenSources: {
      type: 'object',
      description: 'Where the access token is read from.',
      additionalProperties: false,
      default: {},
      properties: {
        header: { ...headerName('Header carrying the token.'), default: 'Authorization' },
        scheme: { type: 'string', default: 'Bearer', pattern: "^[!#$%&'*+.^_`|~0-9A-Za-z-]*$", description: 'Authentication scheme before the token, compared case-insensitively; empty when the header holds the bare token.' },
        allowQueryToken: { type: 'boolean', default: false, description: 'Also accept the `access_token` query parameter (RFC 6750 §2.3). It is removed before forwarding.' },
      },
    },
    forwardAuthorization: { type: 'boolean', default: true, description: 'Forward the token header upstream. When false it is removed.' },
    identityHeaders: {
      type: 'object',
      description: 'Request headers set from the verified token; whatever the client sent under these names is removed first.',
      additionalProperties: false,
      default: {},
      properties: {
        subject: headerName('Header for the `sub` claim.'),
        clientId: headerName('Header for the `client_id` (or `azp`) claim.'),
        scopes: headerName('Header for the token\'s scopes, space-separated.'),
        consumerId: headerName('Header for the id of the consumer that links the token\'s client id (`gatehouse consumers create --client-id`).'),
      },
    },
    cache: {
      type: 'object',
      description: 'Verified tokens, kept by their SHA-256 digest until they expire.',
      additionalProperties: false,
      default: {},
      properties: {
        maxEntries: { type: 'integer', minimum: 0, maximum: 1_000_000, default: 10_000, description: 'Most tokens kept; 0 turns the cache off.' },
      },
    },
    jwks: {
      type: 'object',
      description: 'How JWK Sets are fetched and refreshed.',
      additionalProperties: false,
      default: {},
      properties: {
        refreshSeconds: { type: 'integer', minimum: 1, maximum: 86_400, default: 300, description: 'Age after which a key set is fetched again (on the next request, in the background).' },
        refetchCooldownSeconds: { type: 'integer', minimum: 1, maximum: 3600, default: 30, description: 'Least time between fetches caused by an unknown `kid`, and between retries after a failed fetch (before any key set loaded, retries start 1 s apart and double up to this).' },
        fetchTimeoutMs: { type: 'integer', minimum: 100, maximum: 5000, default: 5000, description: 'Longest a fetch may take, body included.' },
      },
    },
    maxTokenBytes: { type: 'integer', minimum: 256, maximum: 65_536, default: 8192, description: 'Longest token accepted; longer ones are refused before decoding.' },
    realm: { type: 'string', pattern: QUOTABLE_PATTERN, default: 'gatehouse', description: 'Realm named in WWW-Authenticate challenges.' },
  },
} as const
