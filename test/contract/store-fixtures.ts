import type {
  AccessTokenRecord, ClientRecord, RefreshFamilyRecord, RefreshTokenRecord, SigningKeyRecord, Store, UserRecord,
} from '../../src/store/ports.ts'

// Record builders for the store contract: every field set, nullable ones set to a value unless
// the override says null, so a round trip that drops or mangles a field shows up.

export const NOW = 1_750_000_000

export function client(clientId: string, overrides: Partial<ClientRecord> = {}): ClientRecord {
  return {
    clientId, secretDigest: 'a1'.repeat(32), previousSecretDigest: 'c3'.repeat(32), previousSecretExpiresAt: NOW + 3600, clientType: 'confidential', clientProfile: 'service',
    clientName: `Client ${clientId}`, clientDesc: 'Reads the catalogue', scopes: ['read', 'write'], defaultScopes: ['read'],
    redirectUris: ['https://app.example/callback', 'https://app.example/other'],
    grantTypes: ['client_credentials', 'refresh_token'], authMethod: 'client_secret_basic', jwks: '{"keys":[]}',
    accessTokenTtl: 600, ownerId: 'owner-1', createdAt: NOW, updatedAt: NOW, ...overrides,
  }
}

export function user(userId: string, overrides: Partial<UserRecord> = {}): UserRecord {
  return { userId, passwordHash: 'scrypt$16384$8$1$c2FsdA$aGFzaA', scopes: ['read'], createdAt: NOW, ...overrides }
}

export function accessToken(jti: string, overrides: Partial<AccessTokenRecord> = {}): AccessTokenRecord {
  return {
    jti, clientId: 'client-1', subject: 'alice', scopes: ['read'], familyId: 'family-1', issuedAt: NOW,
    expiresAt: NOW + 600, revoked: false, ...overrides,
  }
}

export function refreshToken(digest: string, overrides: Partial<RefreshTokenRecord> = {}): RefreshTokenRecord {
  return {
    digest, familyId: 'family-1', clientId: 'client-1', subject: 'alice', scopes: ['read', 'offline'], issuedAt: NOW,
    expiresAt: NOW + 86_400, usedAt: null, ...overrides,
  }
}

export function family(familyId: string, overrides: Partial<RefreshFamilyRecord> = {}): RefreshFamilyRecord {
  return { familyId, clientId: 'client-1', subject: 'alice', revokedAt: null, ...overrides }
}

export function signingKey(kid: string, overrides: Partial<SigningKeyRecord> = {}): SigningKeyRecord {
  return {
    kid, algorithm: 'ES256', privateKeyPem: '-----BEGIN PRIVATE KEY-----\nMIGH\n-----END PRIVATE KEY-----\n',
    publicJwk: `{"kty":"EC","kid":"${kid}"}`, createdAt: NOW, activatesAt: NOW + 60, retiredAt: null, expiresAt: null,
    ...overrides,
  }
}

/** Opens a store for one test and always closes it, even when an assertion fails. */
export async function withStore(open: () => Promise<Store>, test: (store: Store) => Promise<void>): Promise<void> {
  const store = await open()
  try {
    await test(store)
  } finally {
    await store.close()
  }
}
