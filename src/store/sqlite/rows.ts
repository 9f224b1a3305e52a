import type { SQLInputValue, SQLOutputValue } from 'node:sqlite'
import type {
  AccessTokenRecord, ClientRecord, ClientSecretFields, RefreshFamilyRecord, RefreshTokenRecord, SigningKeyRecord, UserRecord,
} from '../ports.ts'

// Records ↔ rows. Statements bind named parameters ($clientId, …) spelled like the record fields,
// and SELECTs alias columns back to those names, so each mapping is one line per field.

export type Row = Record<string, SQLOutputValue>
type Params = Record<string, SQLInputValue>

const text = (value: SQLOutputValue): string => String(value)
const textOrNull = (value: SQLOutputValue): string | null => (value === null ? null : String(value))
const num = (value: SQLOutputValue): number => Number(value)
const numOrNull = (value: SQLOutputValue): number | null => (value === null ? null : Number(value))
const list = (value: SQLOutputValue): string[] => JSON.parse(String(value)) as string[]

export function clientParams(c: ClientRecord): Params {
  return {
    clientId: c.clientId, secretDigest: c.secretDigest, previousSecretDigest: c.previousSecretDigest,
    previousSecretExpiresAt: c.previousSecretExpiresAt, clientType: c.clientType, clientProfile: c.clientProfile,
    clientName: c.clientName, clientDesc: c.clientDesc, scopes: JSON.stringify(c.scopes),
    defaultScopes: JSON.stringify(c.defaultScopes), redirectUris: JSON.stringify(c.redirectUris),
    grantTypes: JSON.stringify(c.grantTypes), authMethod: c.authMethod, jwks: c.jwks, accessTokenTtl: c.accessTokenTtl,
    ownerId: c.ownerId, createdAt: c.createdAt, updatedAt: c.updatedAt,
  }
}

export function clientSecretParams(c: ClientSecretFields): Params {
  return { secretDigest: c.secretDigest, previousSecretDigest: c.previousSecretDigest, previousSecretExpiresAt: c.previousSecretExpiresAt, updatedAt: c.updatedAt }
}

export function clientFromRow(r: Row): ClientRecord {
  return {
    clientId: text(r.clientId), secretDigest: textOrNull(r.secretDigest),
    previousSecretDigest: textOrNull(r.previousSecretDigest), previousSecretExpiresAt: numOrNull(r.previousSecretExpiresAt),
    clientType: text(r.clientType) as ClientRecord['clientType'],
    clientProfile: text(r.clientProfile) as ClientRecord['clientProfile'],
    clientName: text(r.clientName), clientDesc: text(r.clientDesc), scopes: list(r.scopes),
    defaultScopes: list(r.defaultScopes), redirectUris: list(r.redirectUris), grantTypes: list(r.grantTypes),
    authMethod: text(r.authMethod) as ClientRecord['authMethod'], jwks: textOrNull(r.jwks),
    accessTokenTtl: numOrNull(r.accessTokenTtl), ownerId: text(r.ownerId), createdAt: num(r.createdAt),
    updatedAt: num(r.updatedAt),
  }
}

export function userParams(u: UserRecord): Params {
  return { userId: u.userId, passwordHash: u.passwordHash, scopes: JSON.stringify(u.scopes), createdAt: u.createdAt }
}

export function userFromRow(r: Row): UserRecord {
  return { userId: text(r.userId), passwordHash: text(r.passwordHash), scopes: list(r.scopes), createdAt: num(r.createdAt) }
}

export function accessTokenParams(t: AccessTokenRecord): Params {
  return {
    jti: t.jti, clientId: t.clientId, subject: t.subject, scopes: JSON.stringify(t.scopes), familyId: t.familyId,
    issuedAt: t.issuedAt, expiresAt: t.expiresAt, revoked: t.revoked ? 1 : 0,
  }
}

export function accessTokenFromRow(r: Row): AccessTokenRecord {
  return {
    jti: text(r.jti), clientId: text(r.clientId), subject: text(r.subject), scopes: list(r.scopes),
    familyId: textOrNull(r.familyId), issuedAt: num(r.issuedAt), expiresAt: num(r.expiresAt), revoked: r.revoked === 1,
  }
}

export function refreshTokenParams(t: RefreshTokenRecord): Params {
  return {
    digest: t.digest, familyId: t.familyId, clientId: t.clientId, subject: t.subject, scopes: JSON.stringify(t.scopes),
    issuedAt: t.issuedAt, expiresAt: t.expiresAt, usedAt: t.usedAt,
  }
}

export function refreshTokenFromRow(r: Row): RefreshTokenRecord {
  return {
    digest: text(r.digest), familyId: text(r.familyId), clientId: text(r.clientId), subject: text(r.subject),
    scopes: list(r.scopes), issuedAt: num(r.issuedAt), expiresAt: num(r.expiresAt), usedAt: numOrNull(r.usedAt),
  }
}

export function familyParams(f: RefreshFamilyRecord): Params {
  return { familyId: f.familyId, clientId: f.clientId, subject: f.subject, revokedAt: f.revokedAt }
}

export function familyFromRow(r: Row): RefreshFamilyRecord {
  return { familyId: text(r.familyId), clientId: text(r.clientId), subject: text(r.subject), revokedAt: numOrNull(r.revokedAt) }
}

export function keyParams(k: SigningKeyRecord): Params {
  return {
    kid: k.kid, algorithm: k.algorithm, privateKeyPem: k.privateKeyPem, publicJwk: k.publicJwk, createdAt: k.createdAt,
    activatesAt: k.activatesAt, retiredAt: k.retiredAt, expiresAt: k.expiresAt,
  }
}

export function keyFromRow(r: Row): SigningKeyRecord {
  return {
    kid: text(r.kid), algorithm: text(r.algorithm) as SigningKeyRecord['algorithm'], privateKeyPem: text(r.privateKeyPem),
    publicJwk: text(r.publicJwk), createdAt: num(r.createdAt), activatesAt: num(r.activatesAt),
    retiredAt: numOrNull(r.retiredAt), expiresAt: numOrNull(r.expiresAt),
  }
}
