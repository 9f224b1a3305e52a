/** One trusted token issuer, after defaults are applied. */
export interface IssuerSettings {
  issuer: string
  jwksUri?: string
  /** kid → certificate or public-key PEM file, relative to the config directory. */
  certificates?: Record<string, string>
  algorithms: string[]
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
}

export interface JwksSettings {
  refreshSeconds: number
  refetchCooldownSeconds: number
  fetchTimeoutMs: number
}

/** Settings of the jwt policy, after defaults are applied. */
export interface JwtSettings {
  issuers: IssuerSettings[]
  /** Required scopes: one list for every method, or lists per method. */
  scopes?: string[] | Record<string, string[]>
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
  required: ['issuer', 'algorithms'],
  properties: {
    issuer: { type: 'string', minLength: 1, maxLength: 2048, description: 'Expected `iss` claim, compared exactly (`https://as.example` does not match `https://as.example/`).' },
    jwksUri: { type: 'string', minLength: 1, maxLength: 2048, description: 'http(s) URL of the issuer\'s JWK Set. Give this or `certificates`.' },
    certificates: {
      type: 'object',
      description: 'Verification keys by `kid`: the path of a PEM certificate or public key, relative to the config file\'s directory. Give this or `jwksUri`.',
      propertyNames: { type: 'string', minLength: 1, maxLength: 256 },
      additionalProperties: { type: 'string', minLength: 1, description: 'Path of a PEM certificate or public key.' },
    },
    algorithms: {
      type: 'array',
      description: 'Accepted `alg` values, e.g. `[RS256]`. Required. `none` and HMAC (HS*) algorithms are refused.',
      items: { type: 'string', description: 'A JWS algorithm: RS256, RS384, RS512, PS256, PS384, PS512, ES256, ES384, ES512 or EdDSA.' },
    },
    audience: {
      description: 'Accepted `aud` values: the token\'s `aud` must name one of them. Required unless `allowAnyAudience` is true.',
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
    typ: { type: 'string', pattern: QUOTABLE_PATTERN, description: 'Required header `typ`, e.g. `at+jwt` (RFC 9068); `application/at+jwt` matches too.' },
  },
}

export const jwtSchema = {
  type: 'object',
  description: 'Validates JWT access tokens (RFC 9068 / RFC 6750 Bearer) and requires scopes per method.',
  additionalProperties: false,
  required: ['issuers'],
  properties: {
    issuers: { type: 'array', description: 'Trusted issuers. A token is checked against the one its `iss` names.', items: issuerSchema },
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
        refetchCooldownSeconds: { type: 'integer', minimum: 1, maximum: 3600, default: 30, description: 'Least time between fetches caused by an unknown `kid`, and between retries after a failed fetch.' },
        fetchTimeoutMs: { type: 'integer', minimum: 100, maximum: 5000, default: 5000, description: 'Longest a fetch may take, body included.' },
      },
    },
    maxTokenBytes: { type: 'integer', minimum: 256, maximum: 65_536, default: 8192, description: 'Longest token accepted; longer ones are refused before decoding.' },
    realm: { type: 'string', pattern: QUOTABLE_PATTERN, default: 'gatehouse', description: 'Realm named in WWW-Authenticate challenges.' },
  },
} as const
