// Strict base64url (RFC 7515 §2, RFC 4648 §5): alphabet A-Z a-z 0-9 - _ only, no padding, no
// whitespace, and canonical trailing bits. Node's own decoder skips characters it does not know
// and ignores padding, so a token could be altered without changing what it decodes to; every
// JWS segment goes through `isStrictBase64url` before it is decoded.

const ALPHABET = /^[A-Za-z0-9_-]*$/

// Value of each base64url character, to check the unused low bits of the last one.
const VALUES = new Int8Array(128).fill(-1)
for (let i = 0; i < 64; i++) VALUES['ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_'.charCodeAt(i)] = i

export function isStrictBase64url(text: string): boolean {
  const remainder = text.length % 4
  if (remainder === 1 || !ALPHABET.test(text)) return false
  if (remainder === 0) return true
  // 2 chars carry 8 bits (4 spare), 3 chars carry 16 bits (2 spare): the spare bits must be 0,
  // otherwise several encodings would decode to the same bytes.
  const last = VALUES[text.charCodeAt(text.length - 1)]
  return (last & (remainder === 2 ? 0x0f : 0x03)) === 0
}

/** Decodes strict base64url; null when the text is not strict base64url. */
export function decodeBase64url(text: string): Buffer | null {
  return isStrictBase64url(text) ? Buffer.from(text, 'base64url') : null
}

export function encodeBase64url(data: Buffer | string): string {
  return (typeof data === 'string' ? Buffer.from(data, 'utf8') : data).toString('base64url')
}
