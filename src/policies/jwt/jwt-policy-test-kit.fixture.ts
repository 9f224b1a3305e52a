// Shared by the jwt policy's unit tests and its end-to-end tests: access tokens for the reliability
// catalogue's setup, signed by the key manager's signer. Keys and the JWKS endpoint come from the
// JOSE test kit and are re-exported here, so a policy test needs one import.
import type { LoadedKey } from '../../keymanager/keys/loaded-key.ts'
import { signJwt } from '../../keymanager/tokens/sign-jwt.ts'

export { jwksOf, startJwksServer, testKey, type JwksAnswer, type JwksServer } from '../../jose/jwks-test-server.fixture.ts'

export const ISSUER = 'https://as.example'
export const AUDIENCE = 'orders'

export const nowSeconds = (): number => Math.floor(Date.now() / 1000)

/** Claims of a good access token for the catalogue's setup; overrides replace or (undefined) remove claims. */
export function accessClaims(overrides: Record<string, unknown> = {}): Record<string, unknown> {
  const now = nowSeconds()
  const claims: Record<string, unknown> = { iss: ISSUER, sub: 'user-1', aud: AUDIENCE, exp: now + 300, iat: now - 10, jti: 'j1', client_id: 'app-1', scope: 'orders.read orders.write', ...overrides }
  for (const [name, value] of Object.entries(claims)) if (value === undefined) delete claims[name]
  return claims
}

/** A token signed by the key manager's signer, `typ: at+jwt`. */
export function accessToken(key: LoadedKey, overrides: Record<string, unknown> = {}): string {
  return signJwt({ alg: key.algorithm, kid: key.kid, typ: 'at+jwt' }, accessClaims(overrides), key)
}
