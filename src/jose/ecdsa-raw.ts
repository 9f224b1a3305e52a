// JWS carries ECDSA signatures raw (RFC 7518 §3.4: r and s as fixed-size big-endian integers,
// concatenated); node:crypto verifies DER by default. It can read the raw form itself
// (`{ key, dsaEncoding: 'ieee-p1363' }`), but any options object makes it prepare the key again on
// every call, about 30 µs of an ES256 verification of about 85; verifying with the bare KeyObject
// after this conversion is the cheaper path.

/** Bytes of r (and of s) per ECDSA algorithm: the size of the curve's order. */
export const ECDSA_HALF_BYTES: Readonly<Record<string, number>> = Object.freeze({ ES256: 32, ES384: 48, ES512: 66 })

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
