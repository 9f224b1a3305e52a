// The gateway's consumer directory: every known API-key digest and OAuth client id in memory, built
// from the config file and the store when a config is loaded, and kept current by polling the
// store's consumer revision. Policies see it through the kit's ConsumerDirectory interface.
import { credentialDigest } from '../core/credential-digest.ts'
import { resolveSecretPepper } from '../config/secret-pepper.ts'
import type { GatehouseConfig } from '../config/types.ts'
import { GatehouseError } from '../core/errors/gatehouse-error.ts'
import { SecretHasher } from '../keymanager/secrets/secret-hasher.ts'
import type { ConsumerDirectory, KnownConsumer } from '../kit/consumers.ts'
import { openStore } from '../store/index.ts'
import type { ConsumerStore, Store } from '../store/ports.ts'
import { buildConsumerMaps, type ConsumerMaps } from './consumer-maps.ts'
import { FailureStreak } from '../core/failure-streak.ts'

/** Longer keys are refused without being digested, so a request cannot make the gateway hash megabytes. */
export const MAX_API_KEY_LENGTH = 512

/** Bound of the recently-found-keys cache (see findByApiKey). */
const RECENT_KEYS = 10_000

export type DirectoryLog = (event: string, fields: Record<string, unknown>) => void

/** What the index needs of a store: the consumer part, and close() when it owns it. */
export type FollowedStore = ConsumerStore & Pick<Store, 'close'>

export interface ConsumerIndexOptions {
  /** Digests presented keys; it must hold the pepper the config's key digests were made with. */
  hasher: SecretHasher
  fromConfig: GatehouseConfig['consumers']
  /** The store to follow; null for file consumers only. */
  store: FollowedStore | null
  /** Close the store on stop() (the index opened it). */
  ownsStore: boolean
  refreshMs: number
  /** Warnings: skipped store records, failed refreshes. */
  log?: DirectoryLog
}

export class ConsumerIndex implements ConsumerDirectory {
  readonly #hasher: SecretHasher
  readonly #fromConfig: GatehouseConfig['consumers']
  readonly #store: FollowedStore | null
  readonly #ownsStore: boolean
  readonly #log: DirectoryLog | undefined
  #maps: ConsumerMaps
  readonly #recent = new Map<string, KnownConsumer>()
  #revision: number | undefined
  #timer: NodeJS.Timeout | undefined
  #refreshing: Promise<boolean> | undefined
  readonly #streak = new FailureStreak()
  #stopped = false

  constructor(options: ConsumerIndexOptions) {
    this.#hasher = options.hasher
    this.#fromConfig = options.fromConfig
    this.#store = options.store
    this.#ownsStore = options.ownsStore
    this.#log = options.log
    this.#maps = buildConsumerMaps(this.#fromConfig, null)
    if (this.#store !== null) {
      this.#timer = setInterval(() => void this.refresh(), options.refreshMs)
      // A poll must never keep a process alive that has nothing else to do.
      this.#timer.unref()
    }
  }

  findByApiKey(key: string): KnownConsumer | undefined {
    if (key.length > MAX_API_KEY_LENGTH) return undefined
    const fingerprint = credentialDigest(key)
    const recent = this.#recent.get(fingerprint)
    if (recent !== undefined) return recent
    const consumer = this.#maps.byDigest.get(this.#hasher.digest(key))
    if (consumer !== undefined) this.#remember(fingerprint, consumer)
    return consumer
  }

  /**
   * Keys recently found, by a plain SHA-256 of the key: a one-shot hash costs a seventh of the
   * keyed digest the maps use (a new HMAC object per call is most of the api-key policy's cost),
   * and like the digest it leaves no usable key in memory. Only known keys are kept, at most
   * RECENT_KEYS of them, and the whole cache goes whenever the maps are rebuilt, so a revoked key
   * or a suspended consumer is never served from it.
   */
  #remember(fingerprint: string, consumer: KnownConsumer): void {
    if (this.#recent.size >= RECENT_KEYS) this.#recent.clear()
    this.#recent.set(fingerprint, consumer)
  }

  findByClientId(clientId: string): KnownConsumer | undefined {
    return this.#maps.byClientId.get(clientId)
  }

  /** How many API keys are known (file and store). */
  get keyCount(): number {
    return this.#maps.byDigest.size
  }

  /**
   * Reads the store again if its consumer revision moved; true when it did. A failure keeps the
   * last state (a store that cannot be read must not turn every stored key away at once, nor let
   * a revoked one back in) and is logged once until a refresh succeeds again. Concurrent calls
   * share one read.
   */
  refresh(): Promise<boolean> {
    this.#refreshing ??= this.#refresh().finally(() => (this.#refreshing = undefined))
    return this.#refreshing
  }

  async #refresh(): Promise<boolean> {
    const store = this.#store
    if (store === null || this.#stopped) return false
    try {
      const revision = await store.consumerRevision()
      if (revision === this.#revision) return this.#recovered(false)
      const snapshot = await store.consumerSnapshot()
      if (this.#stopped) return false
      this.#install(buildConsumerMaps(this.#fromConfig, snapshot), snapshot.revision)
      return this.#recovered(true)
    } catch (error) {
      // Before the first successful read there is no last state to fall back on: the caller fails.
      if (this.#revision === undefined) throw error
      if (this.#stopped) return false
      if (this.#streak.failed()) {
        const detail = error instanceof GatehouseError ? error.detail : error instanceof Error ? error.name : 'unknown error'
        this.#log?.('consumer store refresh failed; the last known consumers and keys stay in use', { detail })
      }
      return false
    }
  }

  #install(maps: ConsumerMaps, revision: number): void {
    for (const message of maps.skipped) this.#log?.(message, { revision })
    this.#maps = maps
    this.#recent.clear()
    this.#revision = revision
  }

  #recovered(changed: boolean): boolean {
    if (this.#streak.succeeded()) this.#log?.('consumer store refresh works again', { revision: this.#revision })
    return changed
  }

  /** Stops polling and closes a store the index opened. Lookups keep answering from the last state. */
  async stop(): Promise<void> {
    if (this.#stopped) return
    this.#stopped = true
    clearInterval(this.#timer)
    if (this.#ownsStore) await this.#store?.close()
  }
}

export interface OpenConsumerIndexOptions {
  /** A store already open in this process (the key manager's); otherwise the index opens its own. */
  store?: Store
  log?: DirectoryLog
}

/**
 * The directory for a loaded config: file consumers, plus the key manager's store when it is a
 * SQLite file (or `options.store`), read once before this resolves so the first request already
 * sees stored keys. A store that cannot be opened or read fails the call (start or reload).
 */
export async function openConsumerIndex(config: GatehouseConfig, options: OpenConsumerIndexOptions = {}): Promise<ConsumerIndex> {
  const hasher = new SecretHasher(resolveSecretPepper(config.keyManager))
  let store: FollowedStore | null = options.store ?? null
  const ownsStore = store === null && config.keyManager?.store.type === 'sqlite'
  if (ownsStore && config.keyManager?.store.type === 'sqlite') store = await openStore({ type: 'sqlite', path: config.keyManager.store.path })
  const index = new ConsumerIndex({ hasher, fromConfig: config.consumers, store, ownsStore, refreshMs: config.consumerRefreshSeconds * 1000, log: options.log })
  try {
    await index.refresh()
  } catch (error) {
    await index.stop()
    throw error
  }
  return index
}
