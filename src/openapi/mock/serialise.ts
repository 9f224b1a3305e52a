// Example values → the bytes and header values sent. JSON media types get JSON, text a string as
// is; any other media type only a string example (there is no general way to write a value as,
// say, XML or an image).

/** `type/subtype` in lower case, without parameters. */
export function essenceOf(mediaType: string): string {
  return mediaType.split(';')[0].trim().toLowerCase()
}

export function isJsonMediaType(essence: string): boolean {
  const subtype = essence.split('/')[1] ?? ''
  return subtype === 'json' || subtype.endsWith('+json')
}

/**
 * The Content-Type sent for a declared media type. A range written as the response's media type
 * (`*\/*`, `text/*`) is not a type a client can read, so a concrete one stands in for it.
 */
export function contentTypeFor(declared: string, value: unknown): string {
  let type = declared.trim()
  const essence = essenceOf(type)
  if (essence.endsWith('/*')) type = essence === 'text/*' || (essence === '*/*' && typeof value === 'string') ? 'text/plain' : 'application/json'
  const concrete = essenceOf(type)
  const textual = isJsonMediaType(concrete) || concrete.startsWith('text/')
  return textual && !/;\s*charset=/i.test(type) ? `${type}; charset=utf-8` : type
}

/** The body for `value` sent as `contentType`, or a reason why it cannot be written so. */
export function serialiseBody(value: unknown, contentType: string): { body: Buffer } | { reason: string } {
  const essence = essenceOf(contentType)
  if (typeof value === 'string' && !isJsonMediaType(essence)) return { body: Buffer.from(value) }
  if (!isJsonMediaType(essence) && !essence.startsWith('text/')) return { reason: `a ${typeof value} example cannot be written as ${essence}` }
  try {
    // Text that is not a string (a number, a list) is written as JSON, its most readable form.
    const text = JSON.stringify(value)
    return text === undefined ? { reason: `the example cannot be written as ${essence}` } : { body: Buffer.from(text) }
  } catch (error) {
    return { reason: `the example cannot be written as ${essence}: ${(error as Error).message}` }
  }
}

/**
 * A header value in the `simple` style (lists comma-separated, objects as `key,value,…`);
 * undefined when there is none or it could not be sent (a line break, a character outside Latin-1).
 */
export function headerValue(value: unknown): string | undefined {
  let text: string
  if (value === null || value === undefined) return undefined
  if (Array.isArray(value)) text = value.map(String).join(',')
  else if (typeof value === 'object') text = Object.entries(value).flat().map(String).join(',')
  else text = String(value)
  return /^[\t\x20-\x7e\x80-\xff]*$/.test(text) ? text : undefined
}
