// What the verifier asks for: the key of a `kid`, found by exact map lookup and nothing else (the
// kid is attacker-chosen text, JWT-04). A token without `kid` may use a set's key only when the
// set holds exactly one, so it never picks among several keys.
import type { VerificationKey } from './verification-key.ts'

export interface KeyLookup {
  get(kid: string | undefined): VerificationKey | undefined
  readonly size: number
}

export function keyLookup(byKid: ReadonlyMap<string, VerificationKey>, withoutKid: readonly VerificationKey[]): KeyLookup {
  const size = byKid.size + withoutKid.length
  const sole = size !== 1 ? undefined : withoutKid.length === 1 ? withoutKid[0] : byKid.values().next().value
  return {
    size,
    get: (kid) => (kid === undefined ? sole : byKid.get(kid)),
  }
}

/** Where an issuer's keys come from: fixed certificates, or a JWK Set that is fetched and refreshed. */
export interface KeySource {
  /** Changes whenever the keys change; a cached verdict from another generation is checked again. */
  readonly generation: number
  /** True once there are keys to verify with. */
  readonly loaded: boolean
  readonly lookup: KeyLookup
  /** Starts a background refresh when the keys are due for one. Cheap enough to call per request. */
  refreshIfDue(nowMs: number): void
  /** While not loaded: the fetch to wait for (running or started now), or undefined when retries are cooling down. */
  loadNow(nowMs: number): Promise<void> | undefined
  /** After an unknown kid: a fetch to wait for, or undefined when the refetch cooldown forbids one. */
  refetchForUnknownKid(nowMs: number): Promise<void> | undefined
  /** Seconds until keys may be fetched again (for Retry-After). */
  retryAfterSeconds(nowMs: number): number
}
