// What a token handed to introspection or revocation is: one of our access tokens (a JWT that
// verifies against our keys, issuer and audience, and has not expired), one of our refresh tokens
// (found by its digest), or nothing we know. The hint (`token_type_hint`) is not needed: the two
// kinds cannot be mistaken for each other.
import type { AccessTokenRecord, RefreshTokenRecord } from '../../store/ports.ts'
import type { KeyManagerServices } from '../services.ts'
import { JwtError } from '../../jose/jwt-error.ts'
import type { JwtPayload } from '../../jose/verify-jwt.ts'

const MAX_TOKEN_LENGTH = 8192

export type PresentedToken =
  | { kind: 'access'; claims: JwtPayload; record: AccessTokenRecord | null }
  | { kind: 'refresh'; record: RefreshTokenRecord }

export async function findPresentedToken(services: KeyManagerServices, token: string): Promise<PresentedToken | null> {
  if (token.length > MAX_TOKEN_LENGTH) return null
  if (token.includes('.')) {
    let claims: JwtPayload
    try {
      claims = services.verifyAccessToken(token, services.now()).payload
    } catch (error) {
      // Possibly signed by a key another process created a moment ago.
      if (!(error instanceof JwtError && error.reason === 'unknown_kid') || !await services.keysFreshness.refresh()) return null
      try {
        claims = services.verifyAccessToken(token, services.now()).payload
      } catch {
        return null
      }
    }
    const record = services.config.tokens.persist ? await services.store.getAccessToken(claims.jti as string) : null
    return { kind: 'access', claims, record }
  }
  const record = await services.store.getRefreshToken(services.hasher.digest(token))
  return record === null ? null : { kind: 'refresh', record }
}
