// A value built from a schema, for answering without an upstream. Deterministic: no randomness,
// no clock, so a mock answers the same bytes on every start. A value written in the schema
// (`example`, `examples`, `default`, `const`, `enum`) is used as is; otherwise one is built from
// the type. Recursive schemas terminate: past OPTIONAL_DEPTH levels only what the schema requires
// is added, and past MAX_DEPTH nothing (a schema that requires infinite nesting has no finite value).
import type { JsonSchema } from '../model.ts'
import { numberExample, stringExample } from './scalar-examples.ts'
import { flattenSchema, isSchemaObject, type SchemaObject } from './schema-flatten.ts'

const OPTIONAL_DEPTH = 8
const MAX_DEPTH = 32
/** Upper bound on items/properties added to meet a `minItems`/`minProperties`, so a huge bound cannot exhaust memory. */
const MAX_FILL = 1000

/**
 * A value that validates against `schema` for ordinary schemas. `writeOnly` properties are left
 * out (the value is meant for responses); `pattern` and `uniqueItems` are not taken into account.
 * The result may share objects with the schema's own example values: treat it as read-only.
 */
export function exampleFromSchema(schema: JsonSchema): unknown {
  return generate(schema, schema, 0)
}

/** The value written in the schema itself, if any; `found: false` when it has none. */
export function declaredExample(schema: unknown): { found: boolean; value?: unknown } {
  if (!isSchemaObject(schema)) return { found: false }
  if (schema.example !== undefined) return { found: true, value: schema.example }
  if (Array.isArray(schema.examples) && schema.examples.length > 0) return { found: true, value: schema.examples[0] }
  if (schema.default !== undefined) return { found: true, value: schema.default }
  if (Object.hasOwn(schema, 'const')) return { found: true, value: schema.const }
  if (Array.isArray(schema.enum) && schema.enum.length > 0) return { found: true, value: schema.enum[0] }
  return { found: false }
}

function generate(schema: unknown, root: JsonSchema, depth: number): unknown {
  const own = declaredExample(schema)
  if (own.found) return own.value
  const flat = flattenSchema(schema as JsonSchema, root)
  if (flat === false) return undefined
  const merged = declaredExample(flat)
  if (merged.found) return merged.value
  switch (typeOf(flat)) {
    case 'string': return stringExample(flat)
    case 'integer': return numberExample(flat, true)
    case 'number': return numberExample(flat, false)
    case 'boolean': return true
    case 'array': return depth < MAX_DEPTH ? arrayExample(flat, root, depth) : []
    case 'object': return depth < MAX_DEPTH ? objectExample(flat, root, depth) : {}
    default: return null
  }
}

/** The first non-null declared type; without `type`, the one its keywords imply. */
function typeOf(schema: SchemaObject): string {
  const declared = Array.isArray(schema.type) ? schema.type : [schema.type]
  const type = declared.find((entry) => typeof entry === 'string' && entry !== 'null')
  if (typeof type === 'string') return type
  if (declared.includes('null')) return 'null'
  if (schema.properties !== undefined || schema.required !== undefined || schema.additionalProperties !== undefined) return 'object'
  if (schema.items !== undefined || schema.prefixItems !== undefined || schema.minItems !== undefined) return 'array'
  if (schema.format !== undefined || schema.minLength !== undefined || schema.maxLength !== undefined || schema.pattern !== undefined) return 'string'
  if (schema.minimum !== undefined || schema.maximum !== undefined || schema.multipleOf !== undefined) return 'number'
  return 'null'
}

function arrayExample(schema: SchemaObject, root: JsonSchema, depth: number): unknown[] {
  const prefix = Array.isArray(schema.prefixItems) ? schema.prefixItems : Array.isArray(schema.items) ? schema.items : []
  const rest = Array.isArray(schema.items) ? undefined : schema.items
  const minItems = typeof schema.minItems === 'number' ? Math.min(schema.minItems, MAX_FILL) : 0
  const maxItems = typeof schema.maxItems === 'number' ? schema.maxItems : Infinity
  // One item shows the item shape; past the optional depth only what minItems demands.
  const wanted = depth >= OPTIONAL_DEPTH || (rest === undefined && prefix.length === 0) ? minItems : Math.max(minItems, 1)
  let count = Math.min(wanted, maxItems)
  if (rest === false) count = Math.min(count, prefix.length)
  const items: unknown[] = []
  for (let i = 0; i < count; i++) {
    const value = generate(i < prefix.length ? prefix[i] : (rest ?? true), root, depth + 1)
    if (value === undefined) break
    items.push(value)
  }
  return items
}

function objectExample(schema: SchemaObject, root: JsonSchema, depth: number): Record<string, unknown> {
  const properties = isSchemaObject(schema.properties) ? schema.properties : {}
  const required = new Set(Array.isArray(schema.required) ? schema.required.filter((name) => typeof name === 'string') : [])
  const extra = schema.additionalProperties === undefined || schema.additionalProperties === false ? true : schema.additionalProperties
  const value: Record<string, unknown> = {}
  const add = (name: string, propertySchema: unknown): void => {
    const propertyValue = generate(propertySchema, root, depth + 1)
    if (propertyValue !== undefined) value[name] = propertyValue
  }
  for (const [name, propertySchema] of Object.entries(properties)) {
    if (!required.has(name) && depth >= OPTIONAL_DEPTH) continue
    if (isWriteOnly(propertySchema, root)) continue
    add(name, propertySchema)
  }
  for (const name of required) if (!Object.hasOwn(properties, name)) add(name, extra)
  const minProperties = typeof schema.minProperties === 'number' ? Math.min(schema.minProperties, MAX_FILL) : 0
  for (let i = 1; Object.keys(value).length < minProperties && schema.additionalProperties !== false && i <= MAX_FILL; i++) {
    if (!Object.hasOwn(value, `property${i}`)) add(`property${i}`, extra)
  }
  return value
}

function isWriteOnly(schema: unknown, root: JsonSchema): boolean {
  if (isSchemaObject(schema) && schema.writeOnly === true) return true
  const flat = flattenSchema(schema as JsonSchema, root)
  return flat !== false && flat.writeOnly === true
}
