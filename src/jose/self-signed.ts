// Tokens this process signed itself, remembered by digest for a short while. A gateway that runs
// its own key manager sees most tokens it verifies come from its own token endpoint moments
// earlier; checking such a signature again costs an ES256 verification (about 85 µs) to learn
// what the process already knows. An exact match of the whole compact token — header, payload
// and signature — with one signed here under the key its kid names means the signature holds; every
// other check (algorithm, typ, kid still published, claims) still runs. Only digests are kept,
// so memory holds no usable token.
import { credentialDigest } from '../core/credential-digest.ts'

const LIMIT = 10_000
let digests = new Set<string>()
let previous = new Set<string>()

/** Called by the signer right after it produced `token`. */
export function rememberSelfSigned(token: string): void {
  // Two generations: when the current one is full it becomes the previous one, so the most
  // recent LIMIT to 2×LIMIT tokens are always remembered and the bound holds.
  if (digests.size >= LIMIT) {
    previous = digests
    digests = new Set()
  }
  digests.add(digestOf(token))
}

/** Whether exactly this token was signed by this process recently. */
export function isSelfSigned(token: string): boolean {
  if (digests.size === 0 && previous.size === 0) return false
  const digest = digestOf(token)
  return digests.has(digest) || previous.has(digest)
}

/** For tests: forget everything. */
export function forgetSelfSigned(): void {
  digests = new Set()
  previous = new Set()
}

function digestOf(token: string): string {
  return credentialDigest(token)
}
