// How Gatehouse reads a query parameter's name wherever it matters (API keys in the query, the
// access log's redaction, method overrides): percent-decoded, `+` as a space, lower-cased, the way
// the frameworks behind a gateway read it — `access%5Ftoken` is still a token.

/** The name of one `name=value` part of a query string, decoded and lower-cased. */
export function queryParamName(part: string): string {
  const eq = part.indexOf('=')
  const name = eq === -1 ? part : part.slice(0, eq)
  if (name.indexOf('%') === -1 && name.indexOf('+') === -1) return name.toLowerCase()
  try {
    return decodeURIComponent(name.replaceAll('+', ' ')).toLowerCase()
  } catch {
    // Malformed escapes: nothing behind the gateway can decode it either; compared as written.
    return name.toLowerCase()
  }
}
