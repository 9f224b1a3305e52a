// The store port: every piece of state the key manager (and later usage control) keeps goes
// through these async interfaces. Adapters live beside this file (memory/, sqlite/, and later
// postgres/, redis/) and all pass one contract suite (test/contract/store.test.ts).
// Secrets never reach a store in plain text: clients and refresh tokens are stored by digest,
// passwords as scrypt hashes.

export interface ClientRecord {
  clientId: string
  /** HMAC-SHA-256 of the client secret under the server pepper (hex); null for public clients. */
  secretDigest: string | null
  clientType: 'public' | 'confidential' | 'trusted'
  clientProfile: 'webServer' | 'mobile' | 'browser' | 'service' | 'batch'
  clientName: string
  clientDesc: string
  /** Allowed scopes (space-delimited tokens kept as a list). */
  scopes: string[]
  /** Scopes granted when a request names none. */
  defaultScopes: string[]
  redirectUris: string[]
  /** Grant types this client may use (e.g. `client_credentials`, `password`, `refresh_token`). */
  grantTypes: string[]
  /** Client authentication method: `client_secret_basic`, `client_secret_post`, `private_key_jwt`. */
  authMethod: 'client_secret_basic' | 'client_secret_post' | 'private_key_jwt' | 'none'
  /** Public keys for private_key_jwt, as a JWKS (JSON text). */
  jwks: string | null
  /** Access-token lifetime override in seconds. */
  accessTokenTtl: number | null
  ownerId: string
  createdAt: number
  updatedAt: number
}

export interface UserRecord {
  userId: string
  /** `scrypt$N$r$p$saltB64$hashB64` */
  passwordHash: string
  /** Scopes the user may be granted (intersected with the client's). Empty: any the client has. */
  scopes: string[]
  createdAt: number
}

/** One issued access token, stored only when token persistence is on. */
export interface AccessTokenRecord {
  jti: string
  clientId: string
  subject: string
  scopes: string[]
  /** Refresh-token family it came from, so revoking the family revokes its access tokens. */
  familyId: string | null
  issuedAt: number
  /** Epoch seconds. */
  expiresAt: number
  revoked: boolean
}

/** A refresh token, stored by digest. Rotation creates a new one in the same family. */
export interface RefreshTokenRecord {
  /** HMAC-SHA-256 of the token value under the server pepper (hex). */
  digest: string
  familyId: string
  clientId: string
  subject: string
  scopes: string[]
  issuedAt: number
  expiresAt: number
  /** Set when the token was exchanged; presenting it again is reuse (RFC 9700 §4.14.2). */
  usedAt: number | null
}

export interface RefreshFamilyRecord {
  familyId: string
  clientId: string
  subject: string
  revokedAt: number | null
}

/** A signing key: the private part stays in the store, the public part is published in the JWKS. */
export interface SigningKeyRecord {
  kid: string
  algorithm: 'RS256' | 'PS256' | 'ES256' | 'EdDSA'
  /** PKCS#8 PEM. */
  privateKeyPem: string
  /** Public JWK (JSON text). */
  publicJwk: string
  createdAt: number
  /** When the key starts signing (published in the JWKS before that). */
  activatesAt: number
  /** When it stopped signing; it stays published until tokens it signed have expired. */
  retiredAt: number | null
  /** When it may be removed from the JWKS. */
  expiresAt: number | null
}

export interface Page<T> {
  items: T[]
  /** Opaque cursor for the next page, null at the end. */
  next: string | null
}

export interface ClientStore {
  createClient(client: ClientRecord): Promise<void>
  getClient(clientId: string): Promise<ClientRecord | null>
  updateClient(client: ClientRecord): Promise<boolean>
  deleteClient(clientId: string): Promise<boolean>
  listClients(options: { limit: number; cursor?: string | null }): Promise<Page<ClientRecord>>
}

export interface UserStore {
  createUser(user: UserRecord): Promise<void>
  getUser(userId: string): Promise<UserRecord | null>
  deleteUser(userId: string): Promise<boolean>
}

export interface TokenStore {
  saveAccessToken(token: AccessTokenRecord): Promise<void>
  getAccessToken(jti: string): Promise<AccessTokenRecord | null>
  revokeAccessToken(jti: string): Promise<boolean>
  /** Marks every access token of the family revoked. */
  revokeAccessTokensOfFamily(familyId: string): Promise<number>
  saveRefreshToken(token: RefreshTokenRecord): Promise<void>
  getRefreshToken(digest: string): Promise<RefreshTokenRecord | null>
  /**
   * Atomically marks the token used if it was unused. Returns true when this call did it; false when
   * it was already used (reuse: the caller revokes the family).
   */
  markRefreshTokenUsed(digest: string, at: number): Promise<boolean>
  createFamily(family: RefreshFamilyRecord): Promise<void>
  getFamily(familyId: string): Promise<RefreshFamilyRecord | null>
  revokeFamily(familyId: string, at: number): Promise<boolean>
  /** Records a JWT id (client assertion or jwt-bearer grant) until `expiresAt`; false if already seen. */
  rememberJti(issuer: string, jti: string, expiresAt: number): Promise<boolean>
  /** Deletes records whose expiry passed before `now` (epoch seconds); returns how many went. */
  purgeExpired(now: number): Promise<number>
}

export interface KeyStore {
  saveKey(key: SigningKeyRecord): Promise<void>
  listKeys(): Promise<SigningKeyRecord[]>
  updateKey(key: SigningKeyRecord): Promise<boolean>
  deleteKey(kid: string): Promise<boolean>
}

/** Everything a key manager needs, from one adapter. */
export interface Store extends ClientStore, UserStore, TokenStore, KeyStore {
  readonly kind: string
  close(): Promise<void>
}
