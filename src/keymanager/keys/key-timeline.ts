// The signing-key timeline, as pure functions over stored records (times in epoch seconds).
//
// Keys are ordered by `activatesAt`. Each key signs from its `activatesAt` until the next key in
// that order activates: that moment is its `retiredAt`, and it stays published for one more
// maximum token lifetime (`expiresAt`), so every token it signed can still be verified. A key is
// published (in the JWKS) from creation until `expiresAt`, which is why a new key is created
// `publishAheadSeconds` before it activates: verifiers that cache the JWKS learn it first.
//
// Deriving retirement from the order, rather than from "whoever rotated last", keeps the timeline
// consistent when several processes share one store and rotate at the same time: `succession`
// repairs whatever order the writes landed in.
import type { SigningKeyRecord } from '../../store/ports.ts'

export function isPublished(record: SigningKeyRecord, now: number): boolean {
  return record.expiresAt === null || record.expiresAt > now
}

export function isSigning(record: SigningKeyRecord, now: number): boolean {
  return record.activatesAt <= now && (record.retiredAt === null || record.retiredAt > now) && isPublished(record, now)
}

/** Activation order; ties (two processes rotating in the same second) broken by creation, then kid. */
export function byActivation(a: SigningKeyRecord, b: SigningKeyRecord): number {
  return a.activatesAt - b.activatesAt || a.createdAt - b.createdAt || (a.kid < b.kid ? -1 : a.kid > b.kid ? 1 : 0)
}

/** The key that signs at `now`: the last one in activation order that is signing. */
export function signingRecord(sorted: readonly SigningKeyRecord[], now: number): SigningKeyRecord | undefined {
  for (let i = sorted.length - 1; i >= 0; i--) {
    if (isSigning(sorted[i], now)) return sorted[i]
  }
  return undefined
}

/** First moment after `now` at which `signingRecord` may give another answer. */
export function nextChange(sorted: readonly SigningKeyRecord[], current: SigningKeyRecord, now: number): number {
  let until = Math.min(current.retiredAt ?? Infinity, current.expiresAt ?? Infinity)
  for (const record of sorted) {
    if (record.activatesAt > now && record.activatesAt < until) until = record.activatesAt
  }
  return until
}

/**
 * Records whose `retiredAt`/`expiresAt` must change so that each key retires when its successor
 * activates. Earlier values already set (an operator retiring a key early) are kept.
 */
export function succession(sorted: readonly SigningKeyRecord[], maxTokenLifetimeSeconds: number): SigningKeyRecord[] {
  const changed: SigningKeyRecord[] = []
  for (let i = 0; i + 1 < sorted.length; i++) {
    const record = sorted[i]
    const retiredAt = Math.min(record.retiredAt ?? Infinity, sorted[i + 1].activatesAt)
    const expiresAt = Math.min(record.expiresAt ?? Infinity, retiredAt + maxTokenLifetimeSeconds)
    if (retiredAt !== record.retiredAt || expiresAt !== record.expiresAt) changed.push({ ...record, retiredAt, expiresAt })
  }
  return changed
}
