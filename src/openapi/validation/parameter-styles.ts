// The serialisation styles of OpenAPI 3 ("Style Values" in the specification), read backwards:
// from the text a client sent to a string, a list of strings, or key/value pairs of strings.
// Lists are split first and the pieces decoded afterwards, so an escaped separator (`%2C`) stays
// part of its item.
import { setOwn, type DecodedValue } from './coerce.ts'
import type { ValueShape } from './schema-shape.ts'

/** Why a value does not follow its declared style. Instances are reused; the message is the whole story. */
export class StyleError {
  readonly message: string
  constructor(message: string) {
    this.message = message
  }
}

export type StyleResult = DecodedValue | StyleError
/** Decodes one split piece; undefined when the piece is malformed (bad percent-encoding). */
export type PieceDecoder = (piece: string) => string | undefined

export const INVALID_ENCODING = new StyleError('has invalid percent-encoding')
const NOT_LABEL = new StyleError("must be label-style (starting with '.')")
const ODD_PAIRS = new StyleError('must be a list of key,value pairs')
const NOT_KEY_VALUE = new StyleError('must be a list of key=value pairs')

export function splitList(body: string, separator: string | RegExp, decode: PieceDecoder): string[] | StyleError {
  if (body === '') return []
  const pieces = body.split(separator)
  for (let i = 0; i < pieces.length; i++) {
    const decoded = decode(pieces[i])
    if (decoded === undefined) return INVALID_ENCODING
    pieces[i] = decoded
  }
  return pieces
}

/** `k,v,k2,v2` (keyValueItems false) or `k=v,k2=v2` (true), already split into raw items. */
function itemsToObject(items: readonly string[], keyValueItems: boolean, decode: PieceDecoder): Record<string, string> | StyleError {
  const result: Record<string, string> = {}
  if (keyValueItems) {
    for (const item of items) {
      const eq = item.indexOf('=')
      if (eq === -1) return NOT_KEY_VALUE
      const key = decode(item.slice(0, eq))
      const value = decode(item.slice(eq + 1))
      if (key === undefined || value === undefined) return INVALID_ENCODING
      setOwn(result, key, value)
    }
    return result
  }
  if (items.length % 2 !== 0) return ODD_PAIRS
  for (let i = 0; i < items.length; i += 2) {
    const key = decode(items[i])
    const value = decode(items[i + 1])
    if (key === undefined || value === undefined) return INVALID_ENCODING
    setOwn(result, key, value)
  }
  return result
}

/**
 * A value whose list items are joined by one separator: `simple` (','), `form` with explode false,
 * `spaceDelimited`, `pipeDelimited`, and the parts of `label` and `matrix` after their prefix.
 * Objects are `k,v,k2,v2`, or `k=v,k2=v2` when `keyValueItems`.
 */
export function decodeDelimited(body: string, shape: ValueShape, separator: string | RegExp, keyValueItems: boolean, decode: PieceDecoder): StyleResult {
  if (shape === 'primitive') return decode(body) ?? INVALID_ENCODING
  if (shape === 'array') return splitList(body, separator, decode)
  if (body === '') return {}
  return itemsToObject(body.split(separator), keyValueItems, decode)
}

/**
 * `label`: `.blue`, lists `.blue.black` (explode) or `.blue,black` (no explode, RFC 6570 and
 * OpenAPI 3.1.1). Without explode, a value with no ',' is split on '.' as the 3.0.0–3.1.0 tables
 * showed — at the price that a one-item list whose item holds a '.' reads as two items.
 */
export function decodeLabel(raw: string, shape: ValueShape, explode: boolean, decode: PieceDecoder): StyleResult {
  if (!raw.startsWith('.')) return NOT_LABEL
  const body = raw.slice(1)
  if (shape === 'primitive') return decode(body) ?? INVALID_ENCODING
  const separator = explode || !body.includes(',') ? '.' : ','
  return decodeDelimited(body, shape, separator, explode && shape === 'object', decode)
}

/** `matrix`: `;id=5`, `;id=3,4`, `;id=3;id=4`, `;id=role,admin`, `;role=admin;name=Alex`. */
export function decodeMatrix(raw: string, name: string, shape: ValueShape, explode: boolean, decode: PieceDecoder): StyleResult {
  const notMatrix = (): StyleError => new StyleError(`must be matrix-style (;${name}=…)`)
  if (!raw.startsWith(';')) return notMatrix()
  if (explode && shape === 'object') {
    return raw.length === 1 ? {} : itemsToObject(raw.slice(1).split(';'), true, decode)
  }
  if (explode && shape === 'array') {
    const values: string[] = []
    for (const segment of raw.slice(1).split(';')) {
      const value = matrixValue(segment, name)
      if (value === undefined) return notMatrix()
      const decoded = decode(value)
      if (decoded === undefined) return INVALID_ENCODING
      values.push(decoded)
    }
    return values
  }
  const value = matrixValue(raw.slice(1), name)
  if (value === undefined) return notMatrix()
  return decodeDelimited(value, shape, ',', false, decode)
}

/** The value of one `name=value` matrix segment ('' for a bare `name`), or undefined for another name. */
function matrixValue(segment: string, name: string): string | undefined {
  if (!segment.startsWith(name)) return undefined
  if (segment.length === name.length) return ''
  return segment.charCodeAt(name.length) === 0x3d /* = */ ? segment.slice(name.length + 1) : undefined
}

/** Repeated occurrences (`id=3&id=4`, or cookies of one name) as a value of the given shape. */
export function decodeOccurrences(raw: readonly string[], shape: ValueShape, decode: PieceDecoder): StyleResult {
  if (shape === 'primitive') return decode(raw[0]) ?? INVALID_ENCODING
  const values: string[] = []
  for (const piece of raw) {
    const decoded = decode(piece)
    if (decoded === undefined) return INVALID_ENCODING
    values.push(decoded)
  }
  return values
}

/** Key/value occurrences collected as [key, rawValue, key, rawValue …] (keys already decoded). */
export function decodeKeyedOccurrences(pairs: readonly string[], decode: PieceDecoder): StyleResult {
  const result: Record<string, string | string[]> = {}
  for (let i = 0; i < pairs.length; i += 2) {
    const value = decode(pairs[i + 1])
    if (value === undefined) return INVALID_ENCODING
    const key = pairs[i]
    const existing = Object.hasOwn(result, key) ? result[key] : undefined
    if (existing === undefined) setOwn(result, key, value)
    else if (typeof existing === 'string') setOwn(result, key, [existing, value])
    else existing.push(value)
  }
  return result
}
