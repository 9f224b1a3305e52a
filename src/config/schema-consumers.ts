// Schema of `consumers` (applications and their credentials declared in the file) and of
// `consumerRefreshSeconds`. API keys are written as `${env:NAME}` references; the loader keeps only
// their digests (normalise-consumers.ts).
import { integer, name, object, oneOf, string, type SchemaNode } from './schema-kit.ts'

/** Printable ASCII without spaces: what a header value or a query parameter can carry unchanged. */
export const API_KEY_PATTERN = '^[\\x21-\\x7E]+$'

const API_KEY: SchemaNode = object('An API key of the consumer.', {
  key: string('The key: 16-512 printable ASCII characters without spaces. Give it as `"${env:NAME}"` (quoted, so a key of digits stays text). The loaded configuration keeps only its HMAC-SHA-256 digest under the server pepper; the key itself is never kept, shown or logged.', {
    minLength: 16, maxLength: 512, pattern: API_KEY_PATTERN, patternMessage: 'must be printable ASCII characters without spaces',
  }),
  label: string('What the key is for (e.g. `production`), shown by `gatehouse consumers list`.', { maxLength: 200 }),
}, { required: ['key'] })

const CONSUMER: SchemaNode = object('A consumer: an application calling the APIs, with its credentials.', {
  id: name('Consumer id, unique among the file\'s and the store\'s consumers: sent upstream by the `api-key` policy (`X-Consumer-Id`) and used in logs.'),
  name: string('Display name. Default: the id.', { maxLength: 200 }),
  status: oneOf('`suspended`: the consumer\'s credentials are recognised but refused with 403 `GH_ERR_AUTH_CONSUMER_SUSPENDED`.', ['active', 'suspended'], 'active'),
  apiKeys: { type: 'array', description: 'API keys the `api-key` policy accepts for this consumer.', default: [], items: API_KEY },
  clientIds: {
    type: 'array',
    description: 'OAuth client ids that act for this consumer. A client id belongs to one consumer only.',
    default: [],
    uniqueItems: true,
    items: string('An OAuth client id.', { maxLength: 256 }),
  },
}, { required: ['id'] })

export const CONSUMERS: SchemaNode = {
  type: 'array',
  description: 'Consumers declared in this file. More can be kept in the key manager\'s store with `gatehouse consumers create` and `add-key`; gateways pick those up within `consumerRefreshSeconds`. A consumer id may be used in the file or in the store, not in both. API keys are digested with the server pepper: `keyManager.secretPepper`; without it, the file `<keyManager.store.path>.pepper` (created on first use, mode 0600); without a SQLite key-manager store, a random pepper of each process (keys from this file need nothing more, and there is no store for others).',
  default: [],
  items: CONSUMER,
}

export const CONSUMER_REFRESH_SECONDS: SchemaNode = integer('How often a running gateway checks the store (`keyManager.store`) for consumers and API keys added, suspended or revoked with `gatehouse consumers`: such a change takes effect within this many seconds. The check reads one row; the consumers are read again only when something changed.', 1, 3600, 5)
