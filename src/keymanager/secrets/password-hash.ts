// Passwords (human-chosen, low entropy) are stored as scrypt hashes:
//   scrypt$N$r$p$<salt, base64>$<derived key, base64>
// The parameters travel with each hash, so they can be raised later: old hashes still verify, and
// `needsRehash` tells the password grant to store a new hash after a successful login.
// Cost on the project's reference machine is in README.md. scrypt runs on the libuv thread pool
// (4 threads unless UV_THREADPOOL_SIZE says otherwise), so it never blocks the event loop, but
// concurrent logins queue there together with file system and DNS work.
import { randomBytes, scrypt, timingSafeEqual } from 'node:crypto'
import { GatehouseError } from '../../core/errors/gatehouse-error.ts'

export interface ScryptParams {
  /** CPU/memory cost, a power of two (memory ≈ 128 × N × r bytes). */
  N: number
  /** Block size. */
  r: number
  /** Parallelism (runs sequentially in Node: cost grows linearly with p). */
  p: number
  /** Derived key length in bytes; 32 by default. */
  keyLength?: number
}

const SALT_BYTES = 16
const DEFAULT_KEY_LENGTH = 32
const MAX_MEMORY = 1024 * 1024 * 1024

interface ParsedHash {
  N: number
  r: number
  p: number
  salt: Buffer
  hash: Buffer
}

/** Hashes a password with a fresh 16-byte salt. Throws GH_ERR_CONFIG_INVALID for unusable parameters. */
export async function hashPassword(password: string, params: ScryptParams): Promise<string> {
  if (typeof password !== 'string') throw new GatehouseError('GH_ERR_INTERNAL', 'password must be a string')
  const keyLength = params.keyLength ?? DEFAULT_KEY_LENGTH
  const problem = paramsProblem(params.N, params.r, params.p, keyLength)
  if (problem !== null) throw new GatehouseError('GH_ERR_CONFIG_INVALID', `scrypt parameters: ${problem}`)
  const salt = randomBytes(SALT_BYTES)
  const hash = await derive(password, salt, params.N, params.r, params.p, keyLength)
  return format(params.N, params.r, params.p, salt, hash)
}

/**
 * Whether `password` matches `stored`. Never throws: a malformed stored value is simply no match.
 * The comparison is constant-time over the derived key.
 */
export async function verifyPassword(password: string, stored: string): Promise<boolean> {
  try {
    if (typeof password !== 'string') return false
    const parsed = parse(stored)
    if (parsed === null) return false
    const derived = await derive(password, parsed.salt, parsed.N, parsed.r, parsed.p, parsed.hash.length)
    return timingSafeEqual(derived, parsed.hash)
  } catch {
    return false
  }
}

/** Whether `stored` should be replaced by a hash made with `params` (different parameters, or unreadable). */
export function needsRehash(stored: string, params: ScryptParams): boolean {
  const parsed = parse(stored)
  return parsed === null || parsed.N !== params.N || parsed.r !== params.r || parsed.p !== params.p || parsed.hash.length !== (params.keyLength ?? DEFAULT_KEY_LENGTH)
}

const dummies = new Map<string, string>()

/**
 * A well-formed hash with these parameters that no password matches (salt and key are random
 * bytes, not derived from anything). Verifying a login for an unknown user against it costs the
 * same as a real check, so the answer time does not reveal whether the user exists (OAUTH-13):
 *   verifyPassword(password, user?.passwordHash ?? dummyPasswordHash(params))
 */
export function dummyPasswordHash(params: ScryptParams): string {
  const keyLength = params.keyLength ?? DEFAULT_KEY_LENGTH
  const problem = paramsProblem(params.N, params.r, params.p, keyLength)
  if (problem !== null) throw new GatehouseError('GH_ERR_CONFIG_INVALID', `scrypt parameters: ${problem}`)
  const cacheKey = `${params.N}$${params.r}$${params.p}$${keyLength}`
  let dummy = dummies.get(cacheKey)
  if (dummy === undefined) {
    dummy = format(params.N, params.r, params.p, randomBytes(SALT_BYTES), randomBytes(keyLength))
    dummies.set(cacheKey, dummy)
  }
  return dummy
}

function paramsProblem(N: number, r: number, p: number, keyLength: number): string | null {
  if (!Number.isSafeInteger(N) || N < 1024 || N > 2 ** 22 || (N & (N - 1)) !== 0) return `N must be a power of two from 2^10 to 2^22, got ${N}`
  if (!Number.isSafeInteger(r) || r < 1 || r > 32) return `r must be 1..32, got ${r}`
  if (!Number.isSafeInteger(p) || p < 1 || p > 16) return `p must be 1..16, got ${p}`
  if (!Number.isSafeInteger(keyLength) || keyLength < 16 || keyLength > 64) return `keyLength must be 16..64 bytes, got ${keyLength}`
  if (memoryFor(N, r, p) > MAX_MEMORY) return `N × r needs more than 1 GiB (128 × N × r bytes)`
  return null
}

// OpenSSL needs 128·r·(N + 2) bytes for V and 128·r·p for B, and refuses to run past `maxmem`.
function memoryFor(N: number, r: number, p: number): number {
  return 128 * r * (N + 2 + p)
}

function derive(password: string, salt: Buffer, N: number, r: number, p: number, keyLength: number): Promise<Buffer> {
  // NFC, as RFC 8265's OpaqueString profile asks: the same password typed on two systems that
  // compose accents differently must give the same hash.
  const input = Buffer.from(password.normalize('NFC'), 'utf8')
  return new Promise((resolve, reject) => {
    scrypt(input, salt, keyLength, { N, r, p, maxmem: memoryFor(N, r, p) + 65536 }, (error, key) => {
      if (error === null) resolve(key)
      else reject(error)
    })
  })
}

function format(N: number, r: number, p: number, salt: Buffer, hash: Buffer): string {
  return `scrypt$${N}$${r}$${p}$${salt.toString('base64')}$${hash.toString('base64')}`
}

const DECIMAL = /^[1-9][0-9]{0,9}$/

function parse(stored: unknown): ParsedHash | null {
  if (typeof stored !== 'string' || stored.length > 512) return null
  const parts = stored.split('$')
  if (parts.length !== 6 || parts[0] !== 'scrypt' || !DECIMAL.test(parts[1]) || !DECIMAL.test(parts[2]) || !DECIMAL.test(parts[3])) return null
  const N = Number(parts[1])
  const r = Number(parts[2])
  const p = Number(parts[3])
  const salt = canonicalBase64(parts[4])
  const hash = canonicalBase64(parts[5])
  if (salt === null || hash === null || salt.length < 8) return null
  if (paramsProblem(N, r, p, hash.length) !== null) return null
  return { N, r, p, salt, hash }
}

/** Decodes standard base64 only if re-encoding gives the same text (Node's decoder skips junk silently). */
function canonicalBase64(text: string): Buffer | null {
  const bytes = Buffer.from(text, 'base64')
  return bytes.length > 0 && bytes.toString('base64') === text ? bytes : null
}
