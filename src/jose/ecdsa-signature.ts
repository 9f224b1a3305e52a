// JWS carries ECDSA signatures raw (RFC 7518 §3.4: r and s as fixed-size big-endian integers,
// concatenated); node:crypto signs and verifies DER by default. It can handle the raw form itself
// (`{ key, dsaEncoding: 'ieee-p1363' }`), but any options object makes it prepare the key again on
// every call: about 30 µs of an ES256 verification of about 85, and twice the cost of an ES256
// signature. Using the bare KeyObject and converting here is the cheaper path both ways:
// `rawEcdsaToDer` before verifying a token, `derToRawEcdsa` after signing one.
import { GatehouseError } from '../core/errors/gatehouse-error.ts'

/** Bytes of r (and of s) per ECDSA algorithm: the size of the curve's order. */
export const ECDSA_HALF_BYTES: Readonly<Record<string, number>> = Object.freeze({ ES256: 32, ES384: 48, ES512: 66 })

// ---- raw r‖s → DER (verification: the input comes from a token, so it is untrusted) ----

/**
 * The DER `SEQUENCE { INTEGER r, INTEGER s }` of a raw signature whose halves are `size` bytes
 * each; undefined when the length is not exactly 2 × size (such a signature cannot verify).
 */
export function rawEcdsaToDer(raw: Buffer, size: number): Buffer | undefined {
  if (raw.length !== 2 * size) return undefined
  const r = derInteger(raw, 0, size)
  const s = derInteger(raw, size, 2 * size)
  const body = r.length + s.length
  // P-521 halves are 66 bytes, so the sequence may need the one-byte long form of its length.
  const head = body < 0x80 ? Buffer.from([0x30, body]) : Buffer.from([0x30, 0x81, body])
  return Buffer.concat([head, r, s], head.length + body)
}

/** A minimal DER INTEGER of the unsigned big-endian bytes raw[start, end). */
function derInteger(raw: Buffer, start: number, end: number): Buffer {
  let first = start
  // Leading zero bytes are dropped (one is kept for the value 0, which then fails to verify).
  while (first < end - 1 && raw[first] === 0) first++
  // A set top bit would read as negative: a zero byte goes in front.
  const pad = raw[first] >= 0x80 ? 1 : 0
  const length = end - first + pad
  const integer = Buffer.allocUnsafe(2 + length)
  integer[0] = 0x02
  integer[1] = length
  if (pad === 1) integer[2] = 0
  raw.copy(integer, 2 + pad, first, end)
  return integer
}

// ---- DER → raw r‖s (signing: the input comes from node:crypto, so a surprise is our fault) ----

function malformed(detail: string): never {
  throw new GatehouseError('GH_ERR_INTERNAL', `ECDSA signature from node:crypto is not the expected DER: ${detail}`)
}

/** DER `SEQUENCE { INTEGER r, INTEGER s }` → r || s, each `size` bytes (32 for P-256). */
export function derToRawEcdsa(der: Buffer, size: number): Buffer {
  if (der[0] !== 0x30) malformed('expected a SEQUENCE')
  const [length, start] = readLength(der, 1)
  if (start + length !== der.length) malformed('sequence length does not match')
  const raw = Buffer.alloc(size * 2)
  const afterR = copyInteger(der, start, raw, 0, size)
  const afterS = copyInteger(der, afterR, raw, size, size)
  if (afterS !== der.length) malformed('trailing bytes')
  return raw
}

/** Reads a DER length at `offset`; returns [length, offset of the content]. */
function readLength(der: Buffer, offset: number): [number, number] {
  const first = der[offset]
  if (first === undefined) malformed('truncated length')
  if (first < 0x80) return [first, offset + 1]
  // Long form with one length byte: enough for every curve up to P-521 (at most 139 bytes).
  if (first === 0x81 && der[offset + 1] !== undefined) return [der[offset + 1], offset + 2]
  return malformed('unsupported length form')
}

/** Copies one DER INTEGER into `out` at `at`, right-aligned in `size` bytes; returns the offset after it. */
function copyInteger(der: Buffer, offset: number, out: Buffer, at: number, size: number): number {
  if (der[offset] !== 0x02) malformed('expected an INTEGER')
  const [length, start] = readLength(der, offset + 1)
  let from = start
  let bytes = length
  // A leading zero only keeps a high first bit from reading as a sign; it is not part of the value.
  while (bytes > size && der[from] === 0) {
    from++
    bytes--
  }
  if (bytes > size || start + length > der.length) malformed('integer longer than the curve size')
  der.copy(out, at + size - bytes, from, from + bytes)
  return start + length
}
