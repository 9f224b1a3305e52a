// RFC 7523 §2.1: a JWT signed by a trusted issuer, exchanged for an access token whose subject is
// the assertion's `sub`. The client authenticates as for any grant (RFC 7523 §3.1 leaves that
// optional; here it is required, so each exchange is tied to a registered client and its scopes).
// Each check that fails is named in error_description (OAUTH-10): untrusted iss, unknown key,
// aud that is not this server, missing or far-future exp, nbf ahead, a jti seen before.
import { OAuthError } from '../oauth-error.ts'
import { grantScopes } from '../scopes.ts'
import { JwtError } from '../../jose/jwt-error.ts'
import { withIssuerKeys } from '../trust/trusted-issuers.ts'
import { describeRejection, peekPayload, verifyAssertion } from '../trust/verify-assertion.ts'
import type { Grant } from './grant.ts'
import { issueTokens } from './issue-tokens.ts'

export const JWT_BEARER_GRANT_TYPE = 'urn:ietf:params:oauth:grant-type:jwt-bearer'
const MAX_SUBJECT_LENGTH = 256

export const jwtBearerGrant: Grant = {
  grantType: JWT_BEARER_GRANT_TYPE,
  parameters: ['assertion', 'scope'],
  async handler({ services, client, parameters }) {
    const assertion = parameters.get('assertion')
    if (assertion === undefined) throw new OAuthError('invalid_request', 'assertion is required')
    const iss = peekPayload(assertion)?.iss
    if (typeof iss !== 'string') throw new OAuthError('invalid_grant', 'assertion rejected: malformed: not a JWS whose payload names an issuer (iss)')
    const issuer = services.trustedIssuers.get(iss)
    if (issuer === undefined) throw new OAuthError('invalid_grant', 'assertion rejected: untrusted_issuer: iss is not a trusted issuer')
    const { urls } = services
    let payload
    try {
      payload = await withIssuerKeys(issuer, (keys) => verifyAssertion(services, assertion, {
        keys,
        issuer: iss,
        audience: [urls.issuer, urls.token, ...issuer.config.audience],
        replayScope: `issuer:${iss}`,
      }), (error) => error instanceof JwtError && error.reason === 'unknown_kid')
    } catch (error) {
      const reason = describeRejection(error)
      if (reason === undefined) throw error
      const unavailable = !issuer.keys.loaded ? ' (the issuer\'s keys could not be loaded)' : ''
      throw new OAuthError('invalid_grant', `assertion rejected: ${reason}${unavailable}`)
    }
    const subject = payload.sub as string
    if (subject === '' || subject.length > MAX_SUBJECT_LENGTH) throw new OAuthError('invalid_grant', `assertion rejected: invalid_claim:sub: sub must be 1-${MAX_SUBJECT_LENGTH} characters`)
    const scopes = grantScopes(parameters.get('scope'), client.scopes, client.defaultScopes)
    return issueTokens(services, { client, subject, scopes, refresh: null })
  },
}
