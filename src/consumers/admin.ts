// Consumer management on the key manager's store, as `gatehouse consumers` does it: the config
// file is loaded for the store's location and the pepper, and to keep the file's consumer ids out
// of the store. Every change moves the store's consumer revision, so running gateways pick it up
// within `consumerRefreshSeconds`.
import { displayFile } from '../config/issues.ts'
import { loadConfigFile } from '../config/load.ts'
import { NAME_MESSAGE, NAME_PATTERN } from '../config/schema-kit.ts'
import { resolveSecretPepper } from '../config/secret-pepper.ts'
import type { ConsumerConfig, GatehouseConfig } from '../config/types.ts'
import { GatehouseError } from '../core/errors/gatehouse-error.ts'
import { generateSecret } from '../keymanager/secrets/generate-secret.ts'
import { SecretHasher } from '../keymanager/secrets/secret-hasher.ts'
import { openStore } from '../store/index.ts'
import type { ApiKeyRecord, ConsumerRecord, Store } from '../store/ports.ts'

/** Hex digits of a key's digest that name it in listings and in `revoke-key`. */
export const KEY_ID_LENGTH = 12
const MIN_KEY_ID_LENGTH = 8
const CONSUMER_ID = new RegExp(NAME_PATTERN)
const MAX_TEXT = 200

export interface ConsumerAdmin {
  config: GatehouseConfig
  store: Store
  hasher: SecretHasher
  /** Seconds since the epoch, as the store keeps times. */
  now: () => number
}

export interface KeyView {
  keyId: string
  label: string
  createdAt: number | null
  revokedAt: number | null
}

export interface ConsumerView {
  id: string
  name: string
  status: 'active' | 'suspended'
  source: 'file' | 'store'
  keys: KeyView[]
  clientIds: string[]
}

/** The error a caller made (bad id, unknown consumer, …): printed as it is, exit code 1. */
function refuse(message: string): GatehouseError {
  return new GatehouseError('GH_ERR_CONFIG_INVALID', message)
}

/** Loads the config and opens its key-manager store. Throws ConfigError for a bad file. */
export async function openConsumerAdmin(configFile: string): Promise<ConsumerAdmin> {
  const config = await loadConfigFile(configFile, { env: process.env })
  const keyManager = config.keyManager
  if (keyManager === null) {
    throw refuse(`${configFile} has no keyManager section: stored consumers live in the key manager's store (consumers in the file are edited in the file)`)
  }
  if (keyManager.store.type !== 'sqlite') {
    throw refuse('keyManager.store is memory: it lives inside the running gateway, so the CLI cannot reach it')
  }
  const hasher = new SecretHasher(resolveSecretPepper(keyManager))
  const store = await openStore({ type: 'sqlite', path: keyManager.store.path })
  return { config, store, hasher, now: () => Math.floor(Date.now() / 1000) }
}

export function keyIdOf(digest: string): string {
  return digest.slice(0, KEY_ID_LENGTH)
}

function checkId(id: string): void {
  if (!CONSUMER_ID.test(id)) throw refuse(`consumer id ${JSON.stringify(id)} ${NAME_MESSAGE}`)
}

function checkText(what: string, text: string): void {
  if (text.length > MAX_TEXT || /[\x00-\x1F\x7F]/.test(text)) throw refuse(`${what} must be at most ${MAX_TEXT} characters without control characters`)
}

function fileConsumer(admin: ConsumerAdmin, id: string): ConsumerConfig | undefined {
  return admin.config.consumers.find((consumer) => consumer.id === id)
}

/** The store consumer `id`; explains when it is the file's or does not exist. */
async function storedConsumer(admin: ConsumerAdmin, id: string): Promise<ConsumerRecord> {
  checkId(id)
  if (fileConsumer(admin, id) !== undefined) throw refuse(`consumer "${id}" is defined in ${displayFile(admin.config.source)}; change it there`)
  const consumer = await admin.store.getConsumer(id)
  if (consumer === null) throw refuse(`no consumer "${id}" in the store`)
  return consumer
}

export async function createConsumer(admin: ConsumerAdmin, id: string, options: { name?: string; clientIds?: string[] } = {}): Promise<ConsumerRecord> {
  checkId(id)
  const name = options.name ?? id
  checkText('--name', name)
  if (fileConsumer(admin, id) !== undefined) throw refuse(`consumer "${id}" is already defined in ${displayFile(admin.config.source)}`)
  const clientIds = options.clientIds ?? []
  for (const clientId of clientIds) {
    if (clientId === '' || clientId.length > 256) throw refuse('--client-id must be 1-256 characters')
    const owner = admin.config.consumers.find((consumer) => consumer.clientIds.includes(clientId))
    if (owner !== undefined) throw refuse(`client id "${clientId}" belongs to consumer "${owner.id}" in ${displayFile(admin.config.source)}`)
  }
  const now = admin.now()
  const record: ConsumerRecord = { consumerId: id, name, status: 'active', createdAt: now, updatedAt: now }
  await admin.store.createConsumer(record)
  try {
    for (const clientId of clientIds) await admin.store.linkClient({ clientId, consumerId: id })
  } catch (error) {
    // All or nothing: a consumer half created would surprise whoever runs the command again.
    await admin.store.deleteConsumer(id)
    throw error
  }
  return record
}

export async function setConsumerStatus(admin: ConsumerAdmin, id: string, status: ConsumerRecord['status']): Promise<ConsumerRecord> {
  const consumer = await storedConsumer(admin, id)
  const updated = { ...consumer, status, updatedAt: admin.now() }
  if (!await admin.store.updateConsumer(updated)) throw refuse(`no consumer "${id}" in the store`)
  return updated
}

export async function deleteConsumer(admin: ConsumerAdmin, id: string): Promise<void> {
  await storedConsumer(admin, id)
  if (!await admin.store.deleteConsumer(id)) throw refuse(`no consumer "${id}" in the store`)
}

/** A new 256-bit key for the consumer. The key is returned here and nowhere else: only its digest is stored. */
export async function addApiKey(admin: ConsumerAdmin, id: string, label = ''): Promise<{ key: string; keyId: string }> {
  checkText('--label', label)
  await storedConsumer(admin, id)
  const key = generateSecret(32)
  const record: ApiKeyRecord = { digest: admin.hasher.digest(key), consumerId: id, label, createdAt: admin.now(), revokedAt: null }
  if (!await admin.store.saveApiKey(record)) throw refuse(`no consumer "${id}" in the store`)
  return { key, keyId: keyIdOf(record.digest) }
}

/** Revokes the consumer's key whose id starts with `keyId` (at least 8 hex digits, naming one key). */
export async function revokeApiKey(admin: ConsumerAdmin, id: string, keyId: string): Promise<KeyView> {
  if (!/^[0-9a-f]+$/.test(keyId) || keyId.length < MIN_KEY_ID_LENGTH) throw refuse(`a key id is at least ${MIN_KEY_ID_LENGTH} hex digits, as \`gatehouse consumers list\` shows it`)
  await storedConsumer(admin, id)
  const matching = (await admin.store.listApiKeys(id)).filter((key) => key.digest.startsWith(keyId))
  if (matching.length === 0) throw refuse(`consumer "${id}" has no key ${keyId}`)
  if (matching.length > 1) throw refuse(`key id ${keyId} names ${matching.length} keys of consumer "${id}"; give more digits`)
  const [key] = matching
  if (key.revokedAt !== null) throw refuse(`key ${keyIdOf(key.digest)} of consumer "${id}" is already revoked`)
  const at = admin.now()
  await admin.store.revokeApiKey(key.digest, at)
  return { keyId: keyIdOf(key.digest), label: key.label, createdAt: key.createdAt, revokedAt: at }
}

/** Every consumer: the file's first (in file order), then the store's (by id). */
export async function listConsumers(admin: ConsumerAdmin): Promise<ConsumerView[]> {
  const views: ConsumerView[] = admin.config.consumers.map((consumer) => ({
    id: consumer.id,
    name: consumer.name,
    status: consumer.status,
    source: 'file',
    keys: consumer.apiKeys.map((key) => ({ keyId: keyIdOf(key.digest), label: key.label, createdAt: null, revokedAt: null })),
    clientIds: [...consumer.clientIds],
  }))
  let cursor: string | null = null
  do {
    const page = await admin.store.listConsumers({ limit: 100, cursor })
    for (const consumer of page.items) {
      const keys = await admin.store.listApiKeys(consumer.consumerId)
      const links = await admin.store.listClientLinks(consumer.consumerId)
      views.push({
        id: consumer.consumerId,
        name: consumer.name,
        status: consumer.status,
        source: 'store',
        keys: keys.map((key) => ({ keyId: keyIdOf(key.digest), label: key.label, createdAt: key.createdAt, revokedAt: key.revokedAt })),
        clientIds: links.map((link) => link.clientId),
      })
    }
    cursor = page.next
  } while (cursor !== null)
  return views
}
