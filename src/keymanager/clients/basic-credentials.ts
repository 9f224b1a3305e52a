// HTTP Basic client credentials as RFC 6749 §2.3.1 defines them: client id and secret are each
// form-urlencoded before being joined with ":" and base64-encoded, so both may contain ":".
import { OAuthError } from '../oauth-error.ts'

const BASE64 = /^[A-Za-z0-9+/]+={0,2}$/

export interface BasicCredentials {
  clientId: string
  secret: string
}

/** The credentials of an `Authorization: Basic …` value (scheme already matched); invalid_client when unreadable. */
export function parseBasicCredentials(header: string): BasicCredentials {
  const encoded = header.slice(header.indexOf(' ') + 1).trim()
  const unreadable = (): never => {
    throw new OAuthError('invalid_client', 'the Basic credentials cannot be read (expected base64 of form-urlencoded id ":" secret)')
  }
  if (!BASE64.test(encoded) || encoded.length % 4 !== 0) unreadable()
  const decoded = Buffer.from(encoded, 'base64').toString('utf8')
  const colon = decoded.indexOf(':')
  if (colon <= 0 || colon === decoded.length - 1) unreadable()
  const clientId = formDecode(decoded.slice(0, colon))
  const secret = formDecode(decoded.slice(colon + 1))
  if (clientId === null || secret === null) return unreadable()
  return { clientId, secret }
}

/** application/x-www-form-urlencoded decoding of one value; null when a percent escape is broken. */
function formDecode(text: string): string | null {
  try {
    return decodeURIComponent(text.replaceAll('+', ' '))
  } catch {
    return null
  }
}

/** Builds the header value a client sends (for tests and tools). */
export function basicAuthorization(clientId: string, secret: string): string {
  const encode = (value: string): string => encodeURIComponent(value).replaceAll('%20', '+')
  return `Basic ${Buffer.from(`${encode(clientId)}:${encode(secret)}`, 'utf8').toString('base64')}`
}
