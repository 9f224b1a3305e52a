// The registered public keys of private_key_jwt clients (RFC 7523 §2.2), parsed once per client
// version rather than per request. The registry API checks a JWKS when it is registered, so a parse
// failure here means the store was edited by hand; such a client simply cannot authenticate.
import type { ClientRecord } from '../../store/ports.ts'
import { parseJwks } from '../../jose/jwks-key-set.ts'
import type { KeyLookup } from '../../jose/key-lookup.ts'

const CACHE_LIMIT = 1024

interface Entry {
  jwks: string
  lookup: KeyLookup | null
}

export class ClientKeys {
  readonly #cache = new Map<string, Entry>()

  /** The client's keys, or null when it has none usable. */
  lookup(client: ClientRecord): KeyLookup | null {
    if (client.jwks === null) return null
    const cached = this.#cache.get(client.clientId)
    // Keyed by the JWKS text itself: an update through the registry changes it, so no stale keys.
    if (cached !== undefined && cached.jwks === client.jwks) return cached.lookup
    let lookup: KeyLookup | null
    try {
      lookup = parseJwks(client.jwks).lookup
    } catch {
      lookup = null
    }
    // Clients are few and change rarely; a full cache is simply started over.
    if (this.#cache.size >= CACHE_LIMIT) this.#cache.clear()
    this.#cache.set(client.clientId, { jwks: client.jwks, lookup })
    return lookup
  }
}

/** Checks a JWKS a client registers: JSON text with at least one usable public key. Returns the problem, or undefined. */
export function jwksProblem(text: string): string | undefined {
  try {
    const { skipped } = parseJwks(text)
    return skipped.length > 0 ? `jwks has keys that cannot be used: ${skipped.join('; ')}` : undefined
  } catch (error) {
    return `jwks ${(error as Error).message}`
  }
}
