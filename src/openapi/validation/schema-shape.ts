// Reading what a schema expects — its JSON types, its items and its properties — without
// validating anything. Coercion (coerce.ts) and style decoding (parameter-styles.ts) need this
// to turn parameter strings into the values the schema describes. Runs at compile time only.
import type { JsonSchema } from '../model.ts'

export type SchemaObject = Record<string, unknown>
/** How a serialised parameter value is laid out: one value, a list, or key/value pairs. */
export type ValueShape = 'primitive' | 'array' | 'object'

// Deep enough for any parameter or form body; stops runaway `$ref` chains.
const MAX_DEPTH = 16
const COMBINATORS = ['allOf', 'anyOf', 'oneOf'] as const

export function isSchemaObject(value: unknown): value is SchemaObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value)
}

/** A name escaped for use in a JSON pointer (`application/json` → `application~1json`). */
export function pointerSegment(text: string): string {
  return text.replaceAll('~', '~0').replaceAll('/', '~1')
}

/** Resolves a `#/…` JSON pointer inside `root` (the only kind of `$ref` a model schema has). */
export function resolveLocalRef(root: JsonSchema, ref: string): JsonSchema | undefined {
  if (ref === '#') return root
  if (!ref.startsWith('#/')) return undefined
  let node: unknown = root
  for (const raw of ref.slice(2).split('/')) {
    let segment = raw.replaceAll('~1', '/').replaceAll('~0', '~')
    try {
      segment = decodeURIComponent(segment)
    } catch {
      return undefined
    }
    if (!isSchemaObject(node)) return undefined
    node = node[segment]
  }
  return typeof node === 'boolean' || isSchemaObject(node) ? node : undefined
}

/** The schema itself, its `$ref` target and its allOf/anyOf/oneOf members, recursively. */
export function relatedSchemas(schema: JsonSchema, root: JsonSchema): SchemaObject[] {
  const found: SchemaObject[] = []
  const visit = (node: JsonSchema | undefined, depth: number): void => {
    if (!isSchemaObject(node) || depth > MAX_DEPTH || found.includes(node)) return
    found.push(node)
    if (typeof node.$ref === 'string') visit(resolveLocalRef(root, node.$ref), depth + 1)
    for (const key of COMBINATORS) {
      const members = node[key]
      if (Array.isArray(members)) for (const member of members) visit(member as JsonSchema, depth + 1)
    }
  }
  visit(schema, 0)
  return found
}

function jsonTypeOf(value: unknown): string {
  if (value === null) return 'null'
  if (Array.isArray(value)) return 'array'
  if (typeof value === 'number') return Number.isInteger(value) ? 'integer' : 'number'
  return typeof value
}

/** Every JSON type the schema may accept, as far as `type`, `const`, `enum` and shape keywords tell. */
export function schemaTypes(schema: JsonSchema, root: JsonSchema): Set<string> {
  const types = new Set<string>()
  for (const node of relatedSchemas(schema, root)) {
    if (typeof node.type === 'string') types.add(node.type)
    else if (Array.isArray(node.type)) for (const t of node.type) types.add(String(t))
    if ('const' in node) types.add(jsonTypeOf(node.const))
    if (Array.isArray(node.enum)) for (const v of node.enum) types.add(jsonTypeOf(v))
    if (node.type === undefined && isSchemaObject(node.properties)) types.add('object')
    if (node.type === undefined && (node.items !== undefined || node.prefixItems !== undefined)) types.add('array')
  }
  return types
}

export function valueShape(types: ReadonlySet<string>): ValueShape {
  if (types.has('array')) return 'array'
  if (types.has('object')) return 'object'
  return 'primitive'
}

/** The schema of an array's items (`items`), wherever among the related schemas it is declared. */
export function itemsSchema(schema: JsonSchema, root: JsonSchema): JsonSchema | undefined {
  for (const node of relatedSchemas(schema, root)) {
    if (typeof node.items === 'boolean' || isSchemaObject(node.items)) return node.items
  }
  return undefined
}

export interface ObjectSchemaParts {
  /** Property name → every schema declared for it (several when allOf members repeat a property). */
  properties: Map<string, JsonSchema[]>
  /** The `additionalProperties` schema, if one is declared as a schema (not `false`). */
  additional: JsonSchema | undefined
  /** Whether properties beyond `properties` are allowed at all. */
  allowsAdditional: boolean
}

export function objectSchemaParts(schema: JsonSchema, root: JsonSchema): ObjectSchemaParts {
  const properties = new Map<string, JsonSchema[]>()
  let additional: JsonSchema | undefined
  let allowsAdditional = true
  for (const node of relatedSchemas(schema, root)) {
    if (isSchemaObject(node.properties)) {
      for (const [name, sub] of Object.entries(node.properties)) {
        const list = properties.get(name) ?? []
        list.push(sub as JsonSchema)
        properties.set(name, list)
      }
    }
    if (node.additionalProperties === false || node.unevaluatedProperties === false) allowsAdditional = false
    else if (isSchemaObject(node.additionalProperties)) additional ??= node.additionalProperties
  }
  return { properties, additional, allowsAdditional }
}

/** One schema standing for several (a property declared in more than one allOf member). */
export function combineSchemas(schemas: readonly JsonSchema[]): JsonSchema {
  return schemas.length === 1 ? schemas[0] : { allOf: [...schemas] }
}
