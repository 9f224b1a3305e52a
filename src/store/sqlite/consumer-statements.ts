// Statements for consumers, API keys and client links (migration 2), merged into the store's
// statement set by statements.ts. SELECTs alias the columns to the record field names.

const CONSUMER_COLUMNS = 'consumer_id AS consumerId, name, status, created_at AS createdAt, updated_at AS updatedAt'
const KEY_COLUMNS = 'digest, consumer_id AS consumerId, label, created_at AS createdAt, revoked_at AS revokedAt'
const LINK_COLUMNS = 'client_id AS clientId, consumer_id AS consumerId'

export const CONSUMER_SQL = {
  insertConsumer: `INSERT INTO consumers (consumer_id, name, status, created_at, updated_at)
    VALUES ($consumerId, $name, $status, $createdAt, $updatedAt) ON CONFLICT DO NOTHING`,
  selectConsumer: `SELECT ${CONSUMER_COLUMNS} FROM consumers WHERE consumer_id = ?`,
  updateConsumer: `UPDATE consumers SET name = $name, status = $status, created_at = $createdAt, updated_at = $updatedAt
    WHERE consumer_id = $consumerId`,
  // The trigger consumers_deleted removes the consumer's keys and links in the same statement.
  deleteConsumer: 'DELETE FROM consumers WHERE consumer_id = ?',
  listConsumersFirst: `SELECT ${CONSUMER_COLUMNS} FROM consumers ORDER BY consumer_id LIMIT ?`,
  listConsumersAfter: `SELECT ${CONSUMER_COLUMNS} FROM consumers WHERE consumer_id > ? ORDER BY consumer_id LIMIT ?`,

  // One statement: the key goes in only if its consumer exists at that moment (any process).
  insertApiKey: `INSERT INTO api_keys (digest, consumer_id, label, created_at, revoked_at)
    SELECT $digest, $consumerId, $label, $createdAt, $revokedAt WHERE EXISTS (SELECT 1 FROM consumers WHERE consumer_id = $consumerId)
    ON CONFLICT DO NOTHING`,
  selectApiKey: `SELECT ${KEY_COLUMNS} FROM api_keys WHERE digest = ?`,
  listApiKeys: `SELECT ${KEY_COLUMNS} FROM api_keys WHERE consumer_id = ? ORDER BY created_at, digest`,
  revokeApiKey: 'UPDATE api_keys SET revoked_at = ? WHERE digest = ? AND revoked_at IS NULL',

  insertClientLink: `INSERT INTO consumer_clients (client_id, consumer_id)
    SELECT $clientId, $consumerId WHERE EXISTS (SELECT 1 FROM consumers WHERE consumer_id = $consumerId)
    ON CONFLICT DO NOTHING`,
  selectClientLink: `SELECT ${LINK_COLUMNS} FROM consumer_clients WHERE client_id = ?`,
  deleteClientLink: 'DELETE FROM consumer_clients WHERE client_id = ?',
  listClientLinks: `SELECT ${LINK_COLUMNS} FROM consumer_clients WHERE consumer_id = ? ORDER BY client_id`,

  selectConsumerRevision: 'SELECT revision FROM consumer_revision WHERE id = 1',
  snapshotConsumers: `SELECT ${CONSUMER_COLUMNS} FROM consumers ORDER BY consumer_id`,
  snapshotActiveKeys: `SELECT ${KEY_COLUMNS} FROM api_keys WHERE revoked_at IS NULL`,
  snapshotClientLinks: `SELECT ${LINK_COLUMNS} FROM consumer_clients`,
} as const
