// Public, unauthenticated documents: the JWK Set of the signing keys and the RFC 8414 metadata.
// The metadata is served at every place a client library may look for it: RFC 8414 §3 inserts
// the well-known segment before the issuer's path, OpenID discovery (which openid-client tries
// first) appends it, and some clients ask at the root.
import type { IncomingMessage, ServerResponse } from 'node:http'
import type { KeyManagerConfig } from '../../config/types.ts'
import { GRANTS } from '../grants/index.ts'
import { sendJson } from '../http/respond.ts'
import type { EndpointUrls, KeyManagerServices } from '../services.ts'
import { JWS_ALGORITHMS } from '../../jose/jws-algorithms.ts'

const CLIENT_AUTH_METHODS = ['client_secret_basic', 'client_secret_post', 'private_key_jwt', 'none']
const WELL_KNOWN = ['oauth-authorization-server', 'openid-configuration']
// Verifiers may cache the JWKS this long; new keys are published ahead by more than that.
const JWKS_MAX_AGE_SECONDS = 300

/** Every path the metadata document is served at. */
export function metadataPaths(config: KeyManagerConfig): Set<string> {
  const paths = new Set<string>()
  const issuerPath = new URL(config.issuer).pathname.replace(/\/+$/, '')
  for (const name of WELL_KNOWN) {
    paths.add(`/.well-known/${name}`)
    for (const prefix of new Set([issuerPath, config.basePath])) {
      paths.add(`/.well-known/${name}${prefix}`)
      paths.add(`${prefix}/.well-known/${name}`)
    }
  }
  return paths
}

export function metadataDocument(urls: EndpointUrls): Record<string, unknown> {
  const signingAlgorithms = Object.keys(JWS_ALGORITHMS)
  return {
    issuer: urls.issuer,
    token_endpoint: urls.token,
    jwks_uri: urls.jwks,
    introspection_endpoint: urls.introspection,
    revocation_endpoint: urls.revocation,
    grant_types_supported: [...GRANTS.keys()],
    // No authorization endpoint: no response types (RFC 8414 §2 requires the member).
    response_types_supported: [],
    token_endpoint_auth_methods_supported: CLIENT_AUTH_METHODS,
    token_endpoint_auth_signing_alg_values_supported: signingAlgorithms,
    introspection_endpoint_auth_methods_supported: CLIENT_AUTH_METHODS,
    introspection_endpoint_auth_signing_alg_values_supported: signingAlgorithms,
    revocation_endpoint_auth_methods_supported: CLIENT_AUTH_METHODS,
    revocation_endpoint_auth_signing_alg_values_supported: signingAlgorithms,
  }
}

/** GET and HEAD only; `document` is built per request (the JWKS changes with rotation). */
export function serveDocument(req: IncomingMessage, res: ServerResponse, document: () => unknown, maxAgeSeconds: number): void {
  if (req.method !== 'GET' && req.method !== 'HEAD') {
    sendJson(res, 405, { error: 'invalid_request', error_description: 'this document is read with GET' }, { allow: 'GET, HEAD' })
    return
  }
  sendJson(res, 200, document(), { 'cache-control': `public, max-age=${maxAgeSeconds}` })
}

export function serveJwks(services: KeyManagerServices, req: IncomingMessage, res: ServerResponse): void {
  serveDocument(req, res, () => services.keys.jwks(), Math.min(JWKS_MAX_AGE_SECONDS, services.config.signing.publishAheadSeconds))
}
