// Scope handling (RFC 6749 §3.3): a space-delimited list of scope tokens. A request may only ask
// for scopes inside what the client (and, for the password grant, the user) is allowed; a request
// without `scope` gets the client's default scopes.
import { OAuthError } from './oauth-error.ts'

// RFC 6749 §3.3: scope-token = 1*( %x21 / %x23-5B / %x5D-7E ).
const SCOPE_TOKEN = /^[\x21\x23-\x5b\x5d-\x7e]+$/

/** The scope tokens of `text` (duplicates dropped), or null when one is not a valid scope token. */
export function parseScope(text: string): string[] | null {
  const scopes: string[] = []
  for (const token of text.split(' ')) {
    if (token === '') continue
    if (!SCOPE_TOKEN.test(token)) return null
    if (!scopes.includes(token)) scopes.push(token)
  }
  return scopes
}

/**
 * The scopes to grant. `requested` undefined: `defaults` (kept inside `allowed`). Otherwise every
 * requested scope must be in `allowed`, or the request fails with invalid_scope naming it.
 */
export function grantScopes(requested: string | undefined, allowed: readonly string[], defaults: readonly string[]): string[] {
  if (requested === undefined) return defaults.filter((scope) => allowed.includes(scope))
  const scopes = parseScope(requested)
  if (scopes === null) throw new OAuthError('invalid_scope', 'scope is not a space-delimited list of scope tokens')
  for (const scope of scopes) {
    if (!allowed.includes(scope)) throw new OAuthError('invalid_scope', `scope ${JSON.stringify(scope.slice(0, 64))} is not allowed here`)
  }
  return scopes
}
