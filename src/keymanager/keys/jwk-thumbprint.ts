// RFC 7638 JWK thumbprint: SHA-256 over the key's required members in lexicographic order, with
// no whitespace. Used as `kid`, so the id is derived from the key and cannot collide by accident.
import { createHash } from 'node:crypto'

const REQUIRED_MEMBERS: Readonly<Record<string, readonly string[]>> = {
  RSA: ['e', 'kty', 'n'],
  EC: ['crv', 'kty', 'x', 'y'],
  OKP: ['crv', 'kty', 'x'],
}

export function jwkThumbprint(jwk: Readonly<Record<string, unknown>>): string {
  const members = typeof jwk.kty === 'string' ? REQUIRED_MEMBERS[jwk.kty] : undefined
  if (members === undefined) throw new TypeError(`JWK thumbprint: unsupported kty ${JSON.stringify(jwk.kty)}`)
  const canonical: Record<string, string> = {}
  for (const name of members) {
    const value = jwk[name]
    if (typeof value !== 'string') throw new TypeError(`JWK thumbprint: member "${name}" missing`)
    canonical[name] = value
  }
  return createHash('sha256').update(JSON.stringify(canonical)).digest('base64url')
}
