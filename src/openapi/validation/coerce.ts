// Parameter and form values arrive as strings; the schema says what they stand for. The coercers
// are built once per schema: per request a string becomes a number or boolean only where the
// schema allows that type, and anything that does not fit stays a string, so ajv reports it
// ("must be integer") instead of the decoder guessing.
import type { JsonSchema } from '../model.ts'
import { combineSchemas, itemsSchema, objectSchemaParts, schemaTypes, valueShape, type ValueShape } from './schema-shape.ts'

/** A decoded, still textual value: one string, a list, or key/value pairs (repeated keys give lists). */
export type DecodedValue = string | string[] | Record<string, string | string[]>
export type ScalarCoercer = (raw: string) => unknown
export type ValueCoercer = (decoded: DecodedValue) => unknown

// JSON's number grammar, leading zeros tolerated ("007"); no hex, no "Infinity", no blanks.
const NUMERIC = /^-?\d+(?:\.\d+)?(?:[eE][+-]?\d+)?$/

const keepString: ScalarCoercer = (raw) => raw

export function compileScalarCoercer(schema: JsonSchema, root: JsonSchema): ScalarCoercer {
  const types = schemaTypes(schema, root)
  const numeric = types.has('integer') || types.has('number')
  const boolean = types.has('boolean')
  // An empty value means null only where a string could not be meant.
  const nullable = types.has('null') && !types.has('string')
  if (!numeric && !boolean && !nullable) return keepString
  return (raw) => {
    if (numeric && NUMERIC.test(raw)) {
      const n = Number(raw)
      if (Number.isFinite(n)) return n
    }
    if (boolean) {
      if (raw === 'true') return true
      if (raw === 'false') return false
    }
    if (nullable && (raw === '' || raw === 'null')) return null
    return raw
  }
}

/** Sets a key even when it is `__proto__`, so a hostile key becomes data, never a prototype. */
export function setOwn(target: Record<string, unknown>, key: string, value: unknown): void {
  if (key === '__proto__') Object.defineProperty(target, key, { value, enumerable: true, writable: true, configurable: true })
  else target[key] = value
}

interface PropertyCoercer {
  array: boolean
  coerce: ScalarCoercer
}

function propertyCoercer(schema: JsonSchema, root: JsonSchema): PropertyCoercer {
  const array = valueShape(schemaTypes(schema, root)) === 'array'
  const items = array ? itemsSchema(schema, root) : undefined
  return { array, coerce: compileScalarCoercer(array ? (items ?? true) : schema, root) }
}

function coercePropertyValue(value: string | string[], property: PropertyCoercer | undefined): unknown {
  if (property === undefined) return value
  if (property.array) return typeof value === 'string' ? [property.coerce(value)] : value.map(property.coerce)
  // Repeated keys for a single-valued property: the first one counts, as for a repeated query parameter.
  return property.coerce(typeof value === 'string' ? value : value[0])
}

/** A coercer for a whole decoded parameter or form body of the given shape. */
export function compileValueCoercer(schema: JsonSchema, root: JsonSchema, shape: ValueShape): ValueCoercer {
  if (shape === 'primitive') {
    const scalar = compileScalarCoercer(schema, root)
    return (decoded) => (typeof decoded === 'string' ? scalar(decoded) : decoded)
  }
  if (shape === 'array') {
    const item = compileScalarCoercer(itemsSchema(schema, root) ?? true, root)
    return (decoded) => (Array.isArray(decoded) ? decoded.map(item) : decoded)
  }
  const parts = objectSchemaParts(schema, root)
  const properties = new Map<string, PropertyCoercer>()
  for (const [name, schemas] of parts.properties) properties.set(name, propertyCoercer(combineSchemas(schemas), root))
  const additional = parts.additional === undefined ? undefined : propertyCoercer(parts.additional, root)
  return (decoded) => {
    if (typeof decoded === 'string' || Array.isArray(decoded)) return decoded
    const result: Record<string, unknown> = {}
    for (const key in decoded) setOwn(result, key, coercePropertyValue(decoded[key], properties.get(key) ?? additional))
    return result
  }
}
