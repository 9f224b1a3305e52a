// ECDSA signatures as JWS wants them (RFC 7518 §3.4: r and s as fixed-size big-endian integers,
// concatenated) from the DER form node:crypto produces by default. node:crypto can produce the raw
// form itself (`{ key, dsaEncoding: 'ieee-p1363' }`), but any options object makes it prepare
// the key again on every call, which doubles the cost of an ES256 signature; signing with the
// bare KeyObject and converting here is the cheaper path.
import { GatehouseError } from '../../core/errors/gatehouse-error.ts'

function malformed(detail: string): never {
  throw new GatehouseError('GH_ERR_INTERNAL', `ECDSA signature from node:crypto is not the expected DER: ${detail}`)
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
