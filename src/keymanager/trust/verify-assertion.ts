// Checks shared by the two kinds of signed JWT assertions (RFC 7523): client authentication with
// private_key_jwt (§2.2) and the jwt-bearer grant (§2.1). Beyond what verifyJwt checks (signature,
// iss, aud, exp, nbf, iat), an assertion must be short-lived and used once (§3: `jti`).
import { TracelessError } from '../../core/errors/traceless-error.ts'
import { JWS_ALGORITHMS } from '../../jose/jws-algorithms.ts'
import { JwtError } from '../../jose/jwt-error.ts'
import { verifyJwt, type JwtPayload } from '../../jose/verify-jwt.ts'
import type { VerificationKey } from '../../jose/verification-key.ts'
import type { KeyManagerServices } from '../services.ts'

/** Every asymmetric JWS algorithm; HS* and `none` cannot even be configured in the verifier. */
const ASSERTION_ALGORITHMS = Object.keys(JWS_ALGORITHMS)
const MAX_ASSERTION_BYTES = 8192
const MAX_JTI_LENGTH = 256

export interface AssertionRules {
  keys: (kid: string | undefined) => VerificationKey | undefined
  /** Required exact `iss`. */
  issuer: string
  /** Required exact `sub`, when the caller knows it (private_key_jwt: the client id). */
  subject?: string
  /** `aud` must name one of these. */
  audience: readonly string[]
  /** Namespace of the replay check, so a client id and an issuer with the same name never share jtis. */
  replayScope: string
}

/** Why an assertion was refused: a JwtError reason, or one of the checks below. */
export class AssertionError extends TracelessError {
  readonly reason: string

  constructor(reason: string, message: string) {
    super(message)
    this.reason = reason
  }
}

/** The verified claims; throws AssertionError (or JwtError) naming the failed check. */
export async function verifyAssertion(services: KeyManagerServices, assertion: string, rules: AssertionRules): Promise<JwtPayload> {
  const { clockSkewSeconds, maxLifetimeSeconds } = services.config.assertions
  const now = services.now()
  const { payload } = verifyJwt(assertion, {
    keys: rules.keys,
    algorithms: ASSERTION_ALGORITHMS,
    issuer: rules.issuer,
    audience: rules.audience,
    clockToleranceSeconds: clockSkewSeconds,
    maxTokenBytes: MAX_ASSERTION_BYTES,
    requiredClaims: ['iss', 'sub', 'aud', 'exp', 'jti'],
    now,
  })
  if (rules.subject !== undefined && payload.sub !== rules.subject) throw new AssertionError('wrong_subject', 'sub must equal iss (the client id)')
  const exp = payload.exp as number
  if (exp - now > maxLifetimeSeconds + clockSkewSeconds) {
    throw new AssertionError('exp_too_far', `exp lies more than ${maxLifetimeSeconds} s ahead (assertions.maxLifetimeSeconds)`)
  }
  const jti = payload.jti as string
  if (jti === '' || jti.length > MAX_JTI_LENGTH) throw new AssertionError('invalid_claim:jti', `jti must be 1-${MAX_JTI_LENGTH} characters`)
  // Remembered until the assertion could no longer be accepted anyway, leeway included.
  if (!await services.store.rememberJti(rules.replayScope, jti, Math.ceil(exp + clockSkewSeconds))) {
    throw new AssertionError('replayed', 'jti was already used: an assertion is accepted once')
  }
  return payload
}

/** `reason: message` for error_description. */
export function describeRejection(error: unknown): string | undefined {
  if (error instanceof JwtError || error instanceof AssertionError) return `${error.reason}: ${error.message}`
  return undefined
}

/** The payload of a JWS read without verifying it, to learn who claims to have signed it; null when unreadable. */
export function peekPayload(token: string): Record<string, unknown> | null {
  const parts = token.split('.')
  if (parts.length !== 3 || parts[1].length > MAX_ASSERTION_BYTES) return null
  try {
    const value: unknown = JSON.parse(Buffer.from(parts[1], 'base64url').toString('utf8'))
    return typeof value === 'object' && value !== null && !Array.isArray(value) ? value as Record<string, unknown> : null
  } catch {
    return null
  }
}
