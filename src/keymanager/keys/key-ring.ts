// The signing keys of one issuer, kept in a KeyStore and parsed once in memory. `signingKey()` and
// `verificationKey()` run per token and do no I/O; `maintain()` (on a timer) and `rotate()` (admin,
// CLI) change the store. Several processes may share the store: each one re-reads it in
// `maintain()`, `rotate()` and `reload()`, and the timeline rules (key-timeline.ts) make their
// views converge. Times are epoch seconds.
import { GatehouseError } from '../../core/errors/gatehouse-error.ts'
import type { KeyStore, SigningKeyRecord } from '../../store/ports.ts'
import type { VerificationKey } from '../../jose/verification-key.ts'
import { generateSigningKeyAsync, isSigningAlgorithm, type SigningAlgorithm } from './generate-signing-key.ts'
import { byActivation, isPublished, nextChange, signingRecord, succession } from './key-timeline.ts'
import { loadSigningKey, type LoadedKey } from './loaded-key.ts'

export interface KeyRingOptions {
  /** Algorithm of new keys. Changing it rotates to a key of the new algorithm at the next `maintain()`. */
  algorithm: SigningAlgorithm
  /** How long a key signs before the next one takes over. */
  rotationPeriodSeconds: number
  /** How long a new key is published in the JWKS before it signs (0 = signs at once). */
  publishAheadSeconds: number
  /** Longest access-token lifetime: a retired key stays published this long. */
  maxTokenLifetimeSeconds: number
  /** Epoch seconds; injected by tests. */
  now?: () => number
}

export interface RotateOptions {
  /** Overrides `publishAheadSeconds` for this rotation; 0 makes the new key sign at once. */
  publishAheadSeconds?: number
}

/** What a maintenance pass changed, for the process log. */
export interface MaintenanceReport {
  created: string[]
  retired: string[]
  deleted: string[]
}

interface Entry {
  record: SigningKeyRecord
  loaded: LoadedKey
}

export class KeyRing {
  readonly #store: KeyStore
  readonly #options: Required<KeyRingOptions>
  /** Published and loadable keys by kid. */
  #entries = new Map<string, Entry>()
  /** Every stored record, in activation order. */
  #sorted: SigningKeyRecord[] = []
  #current: LoadedKey | undefined
  #currentFrom = 0
  #currentUntil = 0
  /** Store writes from this process run one at a time. */
  #queue: Promise<unknown> = Promise.resolve()

  private constructor(store: KeyStore, options: Required<KeyRingOptions>) {
    this.#store = store
    this.#options = options
  }

  /** Loads the keys and runs one maintenance pass, which creates the first key on first start. */
  static async open(store: KeyStore, options: KeyRingOptions): Promise<KeyRing> {
    const ring = new KeyRing(store, checkOptions(options))
    await ring.maintain()
    return ring
  }

  get maxTokenLifetimeSeconds(): number {
    return this.#options.maxTokenLifetimeSeconds
  }

  /** The key that signs now. Throws GH_ERR_INTERNAL if none does (the store was emptied behind our back). */
  signingKey(): LoadedKey {
    const now = this.#now()
    if (this.#current !== undefined && now >= this.#currentFrom && now < this.#currentUntil) return this.#current
    const record = signingRecord(this.#sorted, now)
    const entry = record === undefined ? undefined : this.#entries.get(record.kid)
    if (record === undefined || entry === undefined) throw new GatehouseError('GH_ERR_INTERNAL', 'no signing key is active; run key maintenance')
    this.#current = entry.loaded
    this.#currentFrom = record.activatesAt
    this.#currentUntil = nextChange(this.#sorted, record, now)
    return entry.loaded
  }

  /** A published key by exact kid, for verifying our own tokens: pass `(kid) => ring.verificationKey(kid)` as `keys`. */
  verificationKey(kid: string | undefined): VerificationKey | undefined {
    if (kid === undefined) return undefined
    const entry = this.#entries.get(kid)
    return entry !== undefined && isPublished(entry.record, this.#now()) ? entry.loaded.verification : undefined
  }

  /** The JWKS document: every key not past `expiresAt`, including keys that do not sign yet. */
  jwks(): { keys: Record<string, unknown>[] } {
    const now = this.#now()
    const keys: Record<string, unknown>[] = []
    for (const record of this.#sorted) {
      const entry = this.#entries.get(record.kid)
      if (entry !== undefined && isPublished(record, now)) keys.push(entry.loaded.publicJwk)
    }
    return { keys }
  }

  /**
   * Creates the next key, activating `publishAheadSeconds` from now; the key signing until then
   * retires at that moment and stays published for one maximum token lifetime.
   */
  rotate(options: RotateOptions = {}): Promise<SigningKeyRecord> {
    const ahead = options.publishAheadSeconds ?? this.#options.publishAheadSeconds
    if (!Number.isSafeInteger(ahead) || ahead < 0) return Promise.reject(new GatehouseError('GH_ERR_CONFIG_INVALID', `publishAheadSeconds must be an integer >= 0, got ${ahead}`))
    return this.#exclusive(async () => {
      await this.#read()
      const created = await this.#create(this.#clock() + ahead)
      await this.#applySuccession()
      return created
    })
  }

  /**
   * Periodic upkeep: re-reads the store, retires keys whose successor has activated, creates a key
   * when none signs, schedules the next rotation so the signing key changes every
   * `rotationPeriodSeconds` (the new key published `publishAheadSeconds` before), and deletes keys
   * past `expiresAt`.
   */
  maintain(): Promise<MaintenanceReport> {
    return this.#exclusive(async () => {
      const report: MaintenanceReport = { created: [], retired: [], deleted: [] }
      await this.#read()
      const now = this.#clock()
      report.retired.push(...await this.#applySuccession())
      let active = signingRecord(this.#sorted, now)
      if (active === undefined) {
        active = await this.#create(now)
        report.created.push(active.kid)
        report.retired.push(...await this.#applySuccession())
      }
      const { algorithm, publishAheadSeconds, rotationPeriodSeconds } = this.#options
      const pending = this.#sorted.some((r) => r.activatesAt > now && isPublished(r, now))
      const due = now + publishAheadSeconds >= active.activatesAt + rotationPeriodSeconds
      if (!pending && (due || active.algorithm !== algorithm)) {
        const activatesAt = active.algorithm !== algorithm ? now + publishAheadSeconds : Math.max(now + publishAheadSeconds, active.activatesAt + rotationPeriodSeconds)
        report.created.push((await this.#create(activatesAt)).kid)
        report.retired.push(...await this.#applySuccession())
      }
      for (const record of this.#sorted) {
        if (!isPublished(record, now) && await this.#store.deleteKey(record.kid)) report.deleted.push(record.kid)
      }
      if (report.deleted.length > 0) await this.#read()
      return report
    })
  }

  /** Re-reads the store (another process may have rotated). Throws if a published key cannot be loaded. */
  reload(): Promise<void> {
    return this.#exclusive(() => this.#read())
  }

  async #read(): Promise<void> {
    const records = (await this.#store.listKeys()).sort(byActivation)
    const now = this.#clock()
    const entries = new Map<string, Entry>()
    for (const record of records) {
      // Keys past expiresAt are never used again; a damaged one must not block its own deletion.
      if (!isPublished(record, now)) continue
      const previous = this.#entries.get(record.kid)
      entries.set(record.kid, { record, loaded: previous?.record.privateKeyPem === record.privateKeyPem ? previous.loaded : load(record) })
    }
    this.#sorted = records
    this.#entries = entries
    this.#current = undefined
  }

  async #create(requestedActivation: number): Promise<SigningKeyRecord> {
    const record = await generateSigningKeyAsync(this.#options.algorithm, this.#clock())
    // Times are whole seconds: a key activating in the same second as an existing one would be
    // ordered against it by kid, i.e. by chance. One second later, the new key is surely the newer.
    let activatesAt = requestedActivation
    while (this.#sorted.some((r) => r.activatesAt === activatesAt)) activatesAt++
    record.activatesAt = activatesAt
    await this.#store.saveKey(record)
    await this.#read()
    return record
  }

  /** Persists retirements implied by the activation order; returns the kids it changed. */
  async #applySuccession(): Promise<string[]> {
    const changed = succession(this.#sorted, this.#options.maxTokenLifetimeSeconds)
    for (const record of changed) await this.#store.updateKey(record)
    if (changed.length > 0) await this.#read()
    return changed.map((r) => r.kid)
  }

  #exclusive<T>(task: () => Promise<T>): Promise<T> {
    const run = this.#queue.then(task, task)
    this.#queue = run.catch(() => undefined)
    return run
  }

  #now(): number {
    return this.#options.now()
  }

  /** Whole seconds for stored times. */
  #clock(): number {
    return Math.floor(this.#options.now())
  }
}

function load(record: SigningKeyRecord): LoadedKey {
  try {
    return loadSigningKey(record)
  } catch (error) {
    throw new GatehouseError('GH_ERR_INTERNAL', `signing key ${JSON.stringify(record.kid)} in the store cannot be loaded: ${(error as Error).message}`)
  }
}

function checkOptions(options: KeyRingOptions): Required<KeyRingOptions> {
  const invalid = (what: string): never => {
    throw new GatehouseError('GH_ERR_CONFIG_INVALID', `key ring: ${what}`)
  }
  if (!isSigningAlgorithm(options.algorithm)) invalid(`algorithm ${JSON.stringify(options.algorithm)} is not one of RS256, PS256, ES256, EdDSA`)
  const positive = (name: 'rotationPeriodSeconds' | 'maxTokenLifetimeSeconds'): void => {
    if (!Number.isSafeInteger(options[name]) || options[name] <= 0) invalid(`${name} must be a whole number of seconds > 0, got ${options[name]}`)
  }
  positive('rotationPeriodSeconds')
  positive('maxTokenLifetimeSeconds')
  const ahead = options.publishAheadSeconds
  if (!Number.isSafeInteger(ahead) || ahead < 0 || ahead >= options.rotationPeriodSeconds) {
    invalid(`publishAheadSeconds must be a whole number of seconds >= 0 and below rotationPeriodSeconds, got ${ahead}`)
  }
  return { ...options, now: options.now ?? (() => Date.now() / 1000) }
}
