// Percent-decoding of one already-split piece of a URL or cookie. Pieces without '%' (and without
// '+' where '+' means a space) are returned as they are, so the common case does no work.

/** The decoded text, or undefined when the piece holds a malformed escape such as `%zz`. */
export function percentDecode(piece: string, plusIsSpace: boolean): string | undefined {
  const text = plusIsSpace && piece.includes('+') ? piece.replaceAll('+', ' ') : piece
  if (!text.includes('%')) return text
  try {
    return decodeURIComponent(text)
  } catch {
    return undefined
  }
}
