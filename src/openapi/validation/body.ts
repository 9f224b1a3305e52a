// Reading a request or response body into the value its schema describes: JSON, or an
// application/x-www-form-urlencoded form. A body that cannot be read gives a BodyError whose
// message says where it breaks, never what it contains.
import type { ValueCoercer } from './coerce.ts'
import { setOwn } from './coerce.ts'
import { jsonSyntaxErrorOffset } from './json-syntax.ts'
import { percentDecode } from './percent-decode.ts'

export class BodyError {
  readonly message: string
  constructor(message: string) {
    this.message = message
  }
}

const POSITION = /at position (\d+)/
const BAD_FORM = new BodyError('is not valid form data (malformed percent-encoding)')

export function parseJsonBody(body: Buffer): unknown {
  const text = body.toString('utf8')
  try {
    return JSON.parse(text)
  } catch (error) {
    return new BodyError(`is not valid JSON (${describeJsonError(error, text)})`)
  }
}

function describeJsonError(error: unknown, text: string): string {
  const message = error instanceof Error ? error.message : ''
  const stated = POSITION.exec(message)
  let offset = stated !== null ? Number(stated[1]) : message.includes('end of JSON input') ? text.length : jsonSyntaxErrorOffset(text)
  if (offset < 0 || offset > text.length) offset = text.length
  let line = 1
  let lineStart = 0
  for (let i = text.indexOf('\n'); i !== -1 && i < offset; i = text.indexOf('\n', i + 1)) {
    line++
    lineStart = i + 1
  }
  const where = `at position ${offset}, line ${line} column ${offset - lineStart + 1}`
  return offset >= text.length ? `unexpected end, ${where}` : where
}

/** `a=1&b=x+y&b=z` → { a: '1', b: ['x y', 'z'] }, then coerced by the schema. */
export function parseFormBody(body: Buffer, coerce: ValueCoercer): unknown {
  const text = body.toString('utf8')
  const fields: Record<string, string | string[]> = {}
  for (const piece of text.split('&')) {
    if (piece === '') continue
    const eq = piece.indexOf('=')
    const key = percentDecode(eq === -1 ? piece : piece.slice(0, eq), true)
    const value = eq === -1 ? '' : percentDecode(piece.slice(eq + 1), true)
    if (key === undefined || value === undefined) return BAD_FORM
    const existing = Object.hasOwn(fields, key) ? fields[key] : undefined
    if (existing === undefined) setOwn(fields, key, value)
    else if (typeof existing === 'string') setOwn(fields, key, [existing, value])
    else existing.push(value)
  }
  return coerce(fields)
}
