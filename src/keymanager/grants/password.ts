// RFC 6749 §4.3: the resource owner's username and password, for clients registered with the
// `password` grant only (the token endpoint answers unauthorized_client otherwise). An unknown
// user is checked against a dummy hash of the configured cost, so it gets the same invalid_grant
// after the same time as a wrong password (OAUTH-13); repeated failures per username are
// throttled with 429 before any hashing.
import { OAuthError } from '../oauth-error.ts'
import { grantScopes } from '../scopes.ts'
import { dummyPasswordHash, verifyPassword } from '../secrets/password-hash.ts'
import type { Grant } from './grant.ts'
import { issueTokens } from './issue-tokens.ts'

const MAX_USERNAME_LENGTH = 256
const MAX_PASSWORD_LENGTH = 1024

export const passwordGrant: Grant = {
  grantType: 'password',
  parameters: ['username', 'password', 'scope'],
  async handler({ services, client, parameters }) {
    const username = parameters.get('username')
    const password = parameters.get('password')
    if (username === undefined || password === undefined) throw new OAuthError('invalid_request', 'username and password are required')
    if (username.length > MAX_USERNAME_LENGTH) throw new OAuthError('invalid_request', `username is longer than ${MAX_USERNAME_LENGTH} characters`)
    const wait = services.throttle.begin(username)
    if (wait > 0) {
      throw new OAuthError('invalid_grant', 'too many failed logins for this username; try again later', { status: 429, headers: { 'retry-after': String(wait) } })
    }
    const user = await services.store.getUser(username)
    const stored = user?.passwordHash ?? dummyPasswordHash(services.config.passwordHashing)
    const matches = password.length <= MAX_PASSWORD_LENGTH && await verifyPassword(password, stored)
    if (!matches || user === null) throw new OAuthError('invalid_grant', 'username or password is wrong')
    services.throttle.succeeded(username)
    const allowed = user.scopes.length === 0 ? client.scopes : client.scopes.filter((scope) => user.scopes.includes(scope))
    const scopes = grantScopes(parameters.get('scope'), allowed, client.defaultScopes)
    const refresh = client.grantTypes.includes('refresh_token') ? 'new' : null
    return issueTokens(services, { client, subject: user.userId, scopes, refresh })
  },
}
