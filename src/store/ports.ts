// The store port: every piece of state the key manager (and later usage control) keeps goes
// through these async interfaces. Adapters live beside this file (memory/, sqlite/, and later
// postgres/, redis/) and all pass one contract suite (test/contract/store.test.ts).
// Secrets never reach a store in plain text: client secrets, refresh tokens and API keys are
// stored by digest, passwords as scrypt hashes.

export interface ClientRecord {
  clientId: string
  /** HMAC-SHA-256 of the client secret under the server pepper (hex); null for public clients. */
  secretDigest: string | null
  /**
   * The secret before the last rotation, still accepted until `previousSecretExpiresAt` so that
   * every instance of the client can switch over; its digest like `secretDigest`, null when none.
   */
  previousSecretDigest: string | null
  /** Epoch seconds from which the previous secret is refused; null when there is none. */
  previousSecretExpiresAt: number | null
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

/** An application that calls the APIs behind the gateway; it holds API keys and OAuth client ids. */
export interface ConsumerRecord {
  /** Stable identifier, sent upstream in the identity header: 1-64 letters, digits, `.`, `_`, `-`. */
  consumerId: string
  name: string
  /** A suspended consumer's credentials are recognised but refused (403). */
  status: 'active' | 'suspended'
  createdAt: number
  updatedAt: number
}

/** An API key, stored only by digest: the key itself is shown once, when it is created. */
export interface ApiKeyRecord {
  /** HMAC-SHA-256 of the key under the server pepper (hex); the primary key, so lookups are O(1). */
  digest: string
  consumerId: string
  label: string
  createdAt: number
  /** Set when the key was revoked; a revoked key is refused like an unknown one. */
  revokedAt: number | null
}

/** An OAuth client id that acts for a consumer (a token's `client_id` names the consumer). */
export interface ConsumerClientRecord {
  clientId: string
  consumerId: string
}

/** Everything the gateway's consumer directory holds, read in one consistent view. */
export interface ConsumerSnapshot {
  /** The consumer revision the snapshot was read at (see `consumerRevision`). */
  revision: number
  consumers: ConsumerRecord[]
  /** Keys that are not revoked. */
  activeKeys: ApiKeyRecord[]
  clientLinks: ConsumerClientRecord[]
}

export interface Page<T> {
  items: T[]
  /** Opaque cursor for the next page, null at the end. */
  next: string | null
}

export type ClientSecretFields = Pick<ClientRecord, 'secretDigest' | 'previousSecretDigest' | 'previousSecretExpiresAt' | 'updatedAt'>

export interface ClientUpdateOptions {
  ifSecretDigest?: string | null
}

export interface ClientStore {
  createClient(client: ClientRecord): Promise<void>
  getClient(clientId: string): Promise<ClientRecord | null>
  /**
   * Replaces the client; false when there is none. With `ifSecretDigest`, only while the stored
   * `secretDigest` is still that value (null: still none), atomically, and false otherwise: a
   * secret another node rotated since the caller read the client is never overwritten.
   */
  updateClient(client: ClientRecord, options?: ClientUpdateOptions): Promise<boolean>
  /**
   * Sets only the secret fields (and `updatedAt`), atomically and only while the stored
   * `secretDigest` is still `ifSecretDigest`: a rotation neither undoes another one nor settings
   * changed meanwhile. False when there is no such client or its secret changed.
   */
  swapClientSecret(clientId: string, ifSecretDigest: string | null, secret: ClientSecretFields): Promise<boolean>
  deleteClient(clientId: string): Promise<boolean>
  /**
   * Clears the previous secret's digest and expiry of every client whose rotation overlap ended at
   * or before `now` (epoch seconds): such a secret is refused already, and its digest need not
   * stay in the store. Returns how many clients changed.
   */
  forgetEndedSecrets(now: number): Promise<number>
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

export interface ConsumerStore {
  createConsumer(consumer: ConsumerRecord): Promise<void>
  getConsumer(consumerId: string): Promise<ConsumerRecord | null>
  updateConsumer(consumer: ConsumerRecord): Promise<boolean>
  /** Deletes the consumer with its API keys and client links. */
  deleteConsumer(consumerId: string): Promise<boolean>
  listConsumers(options: { limit: number; cursor?: string | null }): Promise<Page<ConsumerRecord>>
  /** False when no consumer has `key.consumerId`; StoreConflictError when the digest is taken. */
  saveApiKey(key: ApiKeyRecord): Promise<boolean>
  getApiKey(digest: string): Promise<ApiKeyRecord | null>
  /** A consumer's keys, revoked ones included, oldest first. */
  listApiKeys(consumerId: string): Promise<ApiKeyRecord[]>
  /** Marks the key revoked if it was not; keeps the first revocation time. */
  revokeApiKey(digest: string, at: number): Promise<boolean>
  /** False when no consumer has `link.consumerId`; StoreConflictError when the client id is linked already. */
  linkClient(link: ConsumerClientRecord): Promise<boolean>
  getClientLink(clientId: string): Promise<ConsumerClientRecord | null>
  unlinkClient(clientId: string): Promise<boolean>
  /** A consumer's client links, by clientId. */
  listClientLinks(consumerId: string): Promise<ConsumerClientRecord[]>
  /**
   * A number that grows with every change to consumers, API keys or client links, from any
   * process sharing the store: readers poll it and reload the snapshot only when it moved.
   */
  consumerRevision(): Promise<number>
  consumerSnapshot(): Promise<ConsumerSnapshot>
}

/** Everything a key manager needs, from one adapter. */
export interface Store extends ClientStore, UserStore, TokenStore, KeyStore, ConsumerStore {
  readonly kind: string
  close(): Promise<void>
}
