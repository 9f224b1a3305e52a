import type { DatabaseSync, StatementSync } from 'node:sqlite'
import { CONSUMER_SQL } from './consumer-statements.ts'

// Every statement the store runs, compiled once when the store opens. SELECTs alias the columns
// to the record field names that rows.ts reads.

const CLIENT_COLUMNS = `client_id AS clientId, secret_digest AS secretDigest,
  previous_secret_digest AS previousSecretDigest, previous_secret_expires_at AS previousSecretExpiresAt, client_type AS clientType,
  client_profile AS clientProfile, client_name AS clientName, client_desc AS clientDesc, scopes,
  default_scopes AS defaultScopes, redirect_uris AS redirectUris, grant_types AS grantTypes, auth_method AS authMethod,
  jwks, access_token_ttl AS accessTokenTtl, owner_id AS ownerId, created_at AS createdAt, updated_at AS updatedAt`
const ACCESS_COLUMNS = `jti, client_id AS clientId, subject, scopes, family_id AS familyId, issued_at AS issuedAt,
  expires_at AS expiresAt, revoked`
const REFRESH_COLUMNS = `digest, family_id AS familyId, client_id AS clientId, subject, scopes, issued_at AS issuedAt,
  expires_at AS expiresAt, used_at AS usedAt`
const KEY_COLUMNS = `kid, algorithm, private_key_pem AS privateKeyPem, public_jwk AS publicJwk, created_at AS createdAt,
  activates_at AS activatesAt, retired_at AS retiredAt, expires_at AS expiresAt`

// Inserts never fail on a duplicate key: they change no row, and the store reports the conflict.
const SQL = {
  insertClient: `INSERT INTO clients (client_id, secret_digest, previous_secret_digest, previous_secret_expires_at,
    client_type, client_profile, client_name, client_desc, scopes, default_scopes, redirect_uris, grant_types,
    auth_method, jwks, access_token_ttl, owner_id, created_at, updated_at) VALUES ($clientId, $secretDigest,
    $previousSecretDigest, $previousSecretExpiresAt, $clientType, $clientProfile, $clientName,
    $clientDesc, $scopes, $defaultScopes, $redirectUris, $grantTypes, $authMethod, $jwks, $accessTokenTtl, $ownerId,
    $createdAt, $updatedAt) ON CONFLICT DO NOTHING`,
  selectClient: `SELECT ${CLIENT_COLUMNS} FROM clients WHERE client_id = ?`,
  // Changes whenever another connection commits (see client-cache.ts).
  dataVersion: 'PRAGMA data_version',
  selectClientRevision: 'SELECT revision FROM client_revision WHERE id = 1',
  // $checkSecret = 1 makes it a compare-and-set on the secret (IS: null equals null).
  updateClient: `UPDATE clients SET secret_digest = $secretDigest, previous_secret_digest = $previousSecretDigest,
    previous_secret_expires_at = $previousSecretExpiresAt, client_type = $clientType,
    client_profile = $clientProfile, client_name = $clientName, client_desc = $clientDesc, scopes = $scopes,
    default_scopes = $defaultScopes, redirect_uris = $redirectUris, grant_types = $grantTypes, auth_method = $authMethod,
    jwks = $jwks, access_token_ttl = $accessTokenTtl, owner_id = $ownerId, created_at = $createdAt,
    updated_at = $updatedAt
    WHERE client_id = $clientId AND ($checkSecret = 0 OR secret_digest IS $ifSecretDigest)`,
  swapClientSecret: `UPDATE clients SET secret_digest = $secretDigest, previous_secret_digest = $previousSecretDigest,
    previous_secret_expires_at = $previousSecretExpiresAt, updated_at = $updatedAt
    WHERE client_id = $clientId AND secret_digest IS $ifSecretDigest`,
  deleteClient: 'DELETE FROM clients WHERE client_id = ?',
  forgetEndedSecrets: 'UPDATE clients SET previous_secret_digest = NULL, previous_secret_expires_at = NULL WHERE previous_secret_expires_at <= ?',
  listClientsFirst: `SELECT ${CLIENT_COLUMNS} FROM clients ORDER BY client_id LIMIT ?`,
  listClientsAfter: `SELECT ${CLIENT_COLUMNS} FROM clients WHERE client_id > ? ORDER BY client_id LIMIT ?`,

  insertUser: `INSERT INTO users (user_id, password_hash, scopes, created_at)
    VALUES ($userId, $passwordHash, $scopes, $createdAt) ON CONFLICT DO NOTHING`,
  selectUser: `SELECT user_id AS userId, password_hash AS passwordHash, scopes, created_at AS createdAt
    FROM users WHERE user_id = ?`,
  deleteUser: 'DELETE FROM users WHERE user_id = ?',

  insertAccessToken: `INSERT INTO access_tokens (jti, client_id, subject, scopes, family_id, issued_at,
    expires_at, revoked) VALUES ($jti, $clientId, $subject, $scopes, $familyId, $issuedAt,
    $expiresAt, $revoked) ON CONFLICT DO NOTHING`,
  selectAccessToken: `SELECT ${ACCESS_COLUMNS} FROM access_tokens WHERE jti = ?`,
  revokeAccessToken: 'UPDATE access_tokens SET revoked = 1 WHERE jti = ? AND revoked = 0',
  revokeAccessTokensOfFamily: 'UPDATE access_tokens SET revoked = 1 WHERE family_id = ? AND revoked = 0',
  purgeAccessTokens: 'DELETE FROM access_tokens WHERE expires_at < ?',

  insertRefreshToken: `INSERT INTO refresh_tokens (digest, family_id, client_id, subject, scopes,
    issued_at, expires_at, used_at) VALUES ($digest, $familyId, $clientId, $subject, $scopes, $issuedAt,
    $expiresAt, $usedAt) ON CONFLICT DO NOTHING`,
  selectRefreshToken: `SELECT ${REFRESH_COLUMNS} FROM refresh_tokens WHERE digest = ?`,
  // One statement, so the check and the mark cannot be split by another writer (any process).
  markRefreshTokenUsed: 'UPDATE refresh_tokens SET used_at = ? WHERE digest = ? AND used_at IS NULL',
  purgeRefreshTokens: 'DELETE FROM refresh_tokens WHERE expires_at < ?',

  insertFamily: `INSERT INTO refresh_families (family_id, client_id, subject, revoked_at)
    VALUES ($familyId, $clientId, $subject, $revokedAt) ON CONFLICT DO NOTHING`,
  selectFamily: `SELECT family_id AS familyId, client_id AS clientId, subject, revoked_at AS revokedAt
    FROM refresh_families WHERE family_id = ?`,
  revokeFamily: 'UPDATE refresh_families SET revoked_at = ? WHERE family_id = ? AND revoked_at IS NULL',

  rememberJti: 'INSERT INTO seen_jtis (issuer, jti, expires_at) VALUES (?, ?, ?) ON CONFLICT DO NOTHING',
  purgeJtis: 'DELETE FROM seen_jtis WHERE expires_at < ?',

  insertKey: `INSERT INTO signing_keys (kid, algorithm, private_key_pem, public_jwk, created_at,
    activates_at, retired_at, expires_at) VALUES ($kid, $algorithm, $privateKeyPem, $publicJwk, $createdAt, $activatesAt,
    $retiredAt, $expiresAt) ON CONFLICT DO NOTHING`,
  listKeys: `SELECT ${KEY_COLUMNS} FROM signing_keys ORDER BY created_at, kid`,
  updateKey: `UPDATE signing_keys SET algorithm = $algorithm, private_key_pem = $privateKeyPem, public_jwk = $publicJwk,
    created_at = $createdAt, activates_at = $activatesAt, retired_at = $retiredAt, expires_at = $expiresAt
    WHERE kid = $kid`,
  deleteKey: 'DELETE FROM signing_keys WHERE kid = ?',

  ...CONSUMER_SQL,
} as const

export type Statements = { readonly [name in keyof typeof SQL]: StatementSync }

export function prepareStatements(db: DatabaseSync): Statements {
  const prepared: Partial<Record<keyof typeof SQL, StatementSync>> = {}
  for (const name of Object.keys(SQL) as (keyof typeof SQL)[]) prepared[name] = db.prepare(SQL[name])
  return prepared as Statements
}
