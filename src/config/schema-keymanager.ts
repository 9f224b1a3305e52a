// Schema of the `keyManager` section: the OAuth 2.0 authorization server inside the gateway
// process. The section has no default, so leaving it out keeps the key manager off. Checks that
// need other sections (the issuer derived from a listener, the admin token fallback, files that
// must exist) are in normalise-keymanager.ts.
import { boolean, integer, object, oneOf, section, string, type SchemaNode } from './schema-kit.ts'

const DAY = 86_400

const HTTP_URL = { pattern: '^https?://[^\\s]+$', patternMessage: 'must be an http:// or https:// URL' }

const stringList = (description: string, item: string): SchemaNode => ({
  type: 'array', description, minItems: 1, items: string(item),
})

const TRUSTED_ISSUER: SchemaNode = object('An issuer whose signed assertions may be exchanged for access tokens.', {
  issuer: string('The issuer identifier, compared exactly with the assertion\'s `iss`.'),
  jwksUri: string('URL of the issuer\'s JWK Set (fetched within 5 s and 1 MiB, cached, fetched again on an unknown `kid` at most every 60 s). Give this or `certificates`.', HTTP_URL),
  certificates: {
    type: 'object',
    description: 'The issuer\'s keys as PEM files (certificate or public key) by `kid`, relative to the config file. Give this or `jwksUri`.',
    additionalProperties: string('PEM file of the key with this `kid`.'),
  },
  audience: stringList('Values this issuer\'s assertions may name in `aud` besides this server\'s issuer identifier and token endpoint.', 'An accepted `aud` value.'),
}, { required: ['issuer'] })

export const KEY_MANAGER: SchemaNode = object('The OAuth 2.0 authorization server (key manager): token, introspection, revocation, JWKS and metadata endpoints and a client registry API under `basePath` on every listener. Leave the section out to turn it off.', {
  issuer: string('Issuer identifier: the `iss` of every token and the base of the metadata documents, an http(s) URL without query or fragment. Default: the first listener\'s `http(s)://host:port` followed by `basePath` (a wildcard host becomes `localhost`). Required when that listener\'s port is 0.', HTTP_URL),
  basePath: string('Path prefix of the key manager\'s endpoints: `<basePath>/token`, `/introspect`, `/revoke`, `/jwks`, `/client`, `/user`.', {
    default: '/oauth2', pattern: '^(/[A-Za-z0-9._~-]+)+$', patternMessage: 'must be a path like /oauth2: segments of letters, digits, ".", "_", "~" or "-", without a trailing slash',
  }),
  store: section('Where clients, users, refresh tokens, issued-token records and signing keys are kept.', {
    type: oneOf('`sqlite`: a file, shared by worker processes. `memory`: lost on restart, and only for `workers: 1`.', ['sqlite', 'memory'], 'sqlite'),
    path: string('SQLite file, relative to the config file. Created with mode 0600: it holds the private signing keys.', { default: '.gatehouse/gatehouse.db' }),
  }),
  secretPepper: string('Key of the HMAC-SHA-256 digests client secrets and refresh tokens are stored as (at least 32 characters); use `${env:NAME}`. Changing it invalidates every stored secret and refresh token. Absent: a random pepper is generated on first start and kept beside the SQLite file in `<path>.pepper` (mode 0600); with the memory store it lives in memory only.', { minLength: 32 }),
  signing: section('Access-token signing keys: generated on first start, kept in the store, rotated without downtime.', {
    algorithm: oneOf('Signature algorithm of new keys. Changing it rotates to a key of the new kind.', ['RS256', 'PS256', 'ES256', 'EdDSA'], 'ES256'),
    rotationDays: integer('Days a key signs before the next one takes over.', 1, 3650, 90),
    publishAheadSeconds: integer('How long a new key is published in the JWKS before it signs, so verifiers caching the JWKS know it in time. Must be shorter than the rotation period.', 0, 365 * DAY, 3600),
  }),
  tokens: section('Issued tokens.', {
    accessTokenTtlSeconds: integer('Lifetime of access tokens. A client\'s own `accessTokenTtl` may only shorten it.', 1, DAY, 3600),
    refreshTokenTtlSeconds: integer('Lifetime of each refresh token; every use replaces the token with a new one that lives this long again.', 60, 365 * DAY, 30 * DAY),
    persist: boolean('Store a record of every issued access token, so that introspection and revocation of access tokens are exact. Off: access tokens are stateless, active until they expire.', false),
    audience: stringList('The `aud` of issued access tokens. Default: the issuer identifier.', 'An audience value.'),
  }),
  passwordHashing: section('scrypt cost of stored user passwords (memory per hash: 128 × N × r bytes). Raising it applies to new passwords; stored hashes keep their own cost.', {
    N: integer('CPU and memory cost, a power of two.', 1024, 4_194_304, 16384),
    r: integer('Block size.', 1, 32, 8),
    p: integer('Parallelism.', 1, 16, 1),
  }),
  assertions: section('Signed JWT assertions: `private_key_jwt` client authentication and the jwt-bearer grant.', {
    maxLifetimeSeconds: integer('Furthest an assertion\'s `exp` may lie ahead; longer-lived assertions are refused.', 1, 3600, 300),
    clockSkewSeconds: integer('Leeway for `exp`, `nbf` and `iat`.', 0, 300, 30),
  }),
  trustedIssuers: { type: 'array', description: 'Issuers whose assertions the jwt-bearer grant (RFC 7523) accepts.', default: [], items: TRUSTED_ISSUER },
  adminToken: string('Bearer token of the client registry API (`<basePath>/client`, `<basePath>/user`), at least 16 characters; use `${env:NAME}`. Default: `admin.token`. One of the two is required.', { minLength: 16 }),
  throttle: section('Failed password-grant logins per username: past `maxFailures` within `windowSeconds` the username is refused with 429 until the window has passed. Counted per process.', {
    maxFailures: integer('Failed logins allowed per username within the window.', 1, 1000, 10),
    windowSeconds: integer('Length of the window.', 1, DAY, 60),
  }),
})
