// JWT-11, fuzzed: thousands of seeded random edits of valid tokens (a character replaced, inserted
// or deleted, a cut, segments dropped, repeated or swapped, a segment of another token spliced in).
// The verifier must refuse every edited token with a JwtError, never accept one and never throw
// anything else. Strict base64url matters here: node's decoder alone would accept tokens whose
// text differs but whose bytes do not.
import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { claims, forge, loadedKey, options, signAs } from '../keymanager/tokens/jwt-test-kit.fixture.ts'
import { JwtError } from './jwt-error.ts'
import { createJwtVerifier } from './verify-jwt.ts'

const MUTATIONS_PER_ALGORITHM = 2500
const CHARACTERS = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_.+/= %\u00e9\u0000'

/** mulberry32: a small seeded generator, so a failure can be replayed from its seed. */
function seeded(seed: number): () => number {
  let state = seed >>> 0
  return () => {
    state = (state + 0x6d2b79f5) >>> 0
    let t = state
    t = Math.imul(t ^ (t >>> 15), t | 1)
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61)
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296
  }
}

function mutate(token: string, other: string, random: () => number): string {
  const at = (length: number): number => Math.floor(random() * length)
  const char = (): string => CHARACTERS[at(CHARACTERS.length)]
  const position = at(token.length)
  const segments = token.split('.')
  switch (at(8)) {
    case 0: return token.slice(0, position) + char() + token.slice(position + 1)
    case 1: return token.slice(0, position) + char() + token.slice(position)
    case 2: return token.slice(0, position) + token.slice(position + 1)
    case 3: return token.slice(0, position)
    case 4: return segments.filter((_, index) => index !== at(3)).join('.')
    case 5: { const index = at(3); return [...segments.slice(0, index + 1), ...segments.slice(index)].join('.') }
    case 6: { const a = at(3); const b = (a + 1 + at(2)) % 3; const swapped = [...segments]; [swapped[a], swapped[b]] = [swapped[b], swapped[a]]; return swapped.join('.') }
    // The payload or the signature of the other token (their headers are the same).
    default: { const index = 1 + at(2); const spliced = [...segments]; spliced[index] = other.split('.')[index]; return spliced.join('.') }
  }
}

describe('verifyJwt: JWT-11 fuzzed edits of valid tokens', () => {
  for (const [alg, seed] of [['RS256', 1], ['PS256', 2], ['ES256', 3], ['EdDSA', 4]] as const) {
    it(`JWT-11: ${MUTATIONS_PER_ALGORITHM} edits of a valid ${alg} token are each refused with a JwtError (seed ${seed})`, () => {
      const key = loadedKey(alg)
      const verify = createJwtVerifier(options({ k1: key }, { algorithms: [alg] }))
      const header = { alg, typ: 'at+jwt', kid: 'k1' }
      const token = forge(header, claims(), signAs(alg, key))
      // Another valid token of the same key: its segments are well formed but belong elsewhere.
      const other = forge(header, claims({ sub: 'user-2', jti: 'j2' }), signAs(alg, key))
      const now = 1_760_000_000
      assert.equal(verify(token, now).payload.sub, 'user-1', 'the unedited token is accepted')
      const random = seeded(seed)
      const reasons = new Map<string, number>()
      let edited = 0
      for (let i = 0; i < MUTATIONS_PER_ALGORITHM; i++) {
        const candidate = mutate(token, other, random)
        if (candidate === token) continue
        edited++
        let accepted = false
        try {
          verify(candidate, now)
          accepted = true
        } catch (error) {
          assert.ok(error instanceof JwtError, `edit ${i}: ${JSON.stringify(candidate)} threw ${String(error)}`)
          reasons.set(error.reason, (reasons.get(error.reason) ?? 0) + 1)
        }
        assert.equal(accepted, false, `edit ${i} was accepted: ${JSON.stringify(candidate)}`)
      }
      assert.ok(edited > MUTATIONS_PER_ALGORITHM * 0.95, `only ${edited} edits differed from the token`)
      // The edits reach the checks after the signature's place too, not only the syntax checks.
      assert.ok((reasons.get('bad_signature') ?? 0) > 0 && reasons.size >= 3, JSON.stringify(Object.fromEntries(reasons)))
    })
  }
})
