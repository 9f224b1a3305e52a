// Turns a schema node into one flat set of keywords, so that generating a value never has to
// look at `$ref`, `allOf`, `oneOf` or `anyOf`: references are resolved against the root schema,
// `allOf` members are merged, and of `oneOf`/`anyOf` the first branch that allows more than
// `null` is merged in (a nullable value is more useful as a value than as null).
import type { JsonSchema } from '../model.ts'

export type SchemaObject = Record<string, unknown>

/** `$ref` hops followed while flattening one node; a longer chain is a reference cycle with no structure in between. */
const MAX_REF_HOPS = 8

export function isSchemaObject(value: unknown): value is SchemaObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value)
}

/** The node's keywords with combinators and references merged in; `false` when nothing can match. */
export function flattenSchema(schema: JsonSchema, root: JsonSchema, hops = 0): SchemaObject | false {
  if (schema === false) return false
  if (!isSchemaObject(schema)) return {}
  const { $ref, allOf, oneOf, anyOf, ...own } = schema
  let flat: SchemaObject = own
  // A referenced schema is one hop further; members written in place are not.
  const parts: Array<[unknown, number]> = []
  if (typeof $ref === 'string') parts.push([hops < MAX_REF_HOPS ? resolveRef($ref, root) : {}, hops + 1])
  if (Array.isArray(allOf)) for (const member of allOf) parts.push([member, hops])
  const branch = firstUsefulBranch(oneOf) ?? firstUsefulBranch(anyOf)
  if (branch !== undefined) parts.push([branch, hops])
  for (const [part, partHops] of parts) {
    const partFlat = flattenSchema(part as JsonSchema, root, partHops)
    if (partFlat === false) return false
    flat = mergeSchemas(flat, partFlat)
  }
  return flat
}

function firstUsefulBranch(branches: unknown): unknown {
  if (!Array.isArray(branches) || branches.length === 0) return undefined
  return branches.find((branch) => !(isSchemaObject(branch) && branch.type === 'null')) ?? branches[0]
}

/** A local reference (`#`, `#/$defs/x`, any JSON pointer into the root); anything else is unknown → `{}`. */
function resolveRef(ref: string, root: JsonSchema): unknown {
  if (!ref.startsWith('#')) return {}
  let node: unknown = root
  let pointer: string
  try {
    pointer = decodeURIComponent(ref.slice(1))
  } catch {
    return {}
  }
  if (pointer === '') return node
  for (const raw of pointer.split('/').slice(1)) {
    const key = raw.replaceAll('~1', '/').replaceAll('~0', '~')
    if (typeof node !== 'object' || node === null || !Object.hasOwn(node, key)) return {}
    node = (node as SchemaObject)[key]
  }
  return node
}

const TAKE_LARGER = new Set(['minimum', 'exclusiveMinimum', 'minLength', 'minItems', 'minProperties'])
const TAKE_SMALLER = new Set(['maximum', 'exclusiveMaximum', 'maxLength', 'maxItems', 'maxProperties'])

/** Both schemas' constraints in one; where they disagree the stricter wins, for annotations the first. */
function mergeSchemas(first: SchemaObject, second: SchemaObject): SchemaObject {
  const merged: SchemaObject = { ...first }
  for (const [key, value] of Object.entries(second)) {
    const current = merged[key]
    if (current === undefined) merged[key] = value
    else if (TAKE_LARGER.has(key) && typeof value === 'number' && typeof current === 'number') merged[key] = Math.max(current, value)
    else if (TAKE_SMALLER.has(key) && typeof value === 'number' && typeof current === 'number') merged[key] = Math.min(current, value)
    else if (key === 'properties' && isSchemaObject(value) && isSchemaObject(current)) merged[key] = mergeProperties(current, value)
    else if (key === 'required' && Array.isArray(value) && Array.isArray(current)) merged[key] = [...new Set([...current, ...value])]
    else if (key === 'type') merged[key] = intersectTypes(current, value)
    else if (key === 'items' && current !== value) merged[key] = { allOf: [current, value] }
    else if (key === 'enum' && Array.isArray(value) && Array.isArray(current)) merged[key] = intersectEnums(current, value)
  }
  return merged
}

function mergeProperties(first: SchemaObject, second: SchemaObject): SchemaObject {
  const merged: SchemaObject = { ...first }
  for (const [name, schema] of Object.entries(second)) {
    merged[name] = merged[name] === undefined ? schema : { allOf: [merged[name], schema] }
  }
  return merged
}

function intersectTypes(first: unknown, second: unknown): unknown {
  const a = typeList(first)
  const b = typeList(second)
  // `integer` is a kind of `number`, so `number` ∩ `integer` is `integer`.
  const both = a.filter((type) => b.includes(type) || (type === 'integer' && b.includes('number')))
  for (const type of b) if (type === 'integer' && a.includes('number') && !both.includes(type)) both.push(type)
  return both.length > 0 ? both : first
}

function typeList(type: unknown): string[] {
  if (typeof type === 'string') return [type]
  return Array.isArray(type) ? type.filter((entry): entry is string => typeof entry === 'string') : []
}

function intersectEnums(first: unknown[], second: unknown[]): unknown[] {
  const keys = new Set(second.map((value) => JSON.stringify(value)))
  const both = first.filter((value) => keys.has(JSON.stringify(value)))
  return both.length > 0 ? both : first
}
