// `readOnly` properties must not be sent in a request, `writeOnly` ones must not come back in a
// response. ajv treats both as annotations, and one ajv instance serves both directions, so the
// rule is applied by rewriting the schema once at compile time: each such property's schema is
// replaced by the FORBIDDEN_KEYWORD (which always fails, with its value as the message), and the
// property is dropped from `required` lists in that direction, as the OpenAPI specification says.
// A rewrite (rather than a keyword reading context at run time) keeps the per-request work at
// zero for schemas that have no such property: they come back unchanged, as the same object.
import type { JsonSchema } from '../model.ts'
import { isSchemaObject, resolveLocalRef, type SchemaObject } from './schema-shape.ts'
import { FORBIDDEN_KEYWORD } from './spec-ajv.ts'

export type Direction = 'request' | 'response'

const MARKER: Record<Direction, string> = { request: 'readOnly', response: 'writeOnly' }
const MESSAGE: Record<Direction, string> = {
  request: 'is read-only and must not be sent',
  response: 'is write-only and must not be returned',
}
// Not `if` or `not`: there a forbidden property would turn the condition around.
const SINGLE = ['additionalProperties', 'items', 'contains', 'then', 'else', 'propertyNames', 'unevaluatedProperties', 'unevaluatedItems'] as const
const LISTS = ['anyOf', 'oneOf', 'prefixItems'] as const
const MAPS = ['$defs', 'definitions', 'patternProperties', 'dependentSchemas'] as const
const MAX_DEPTH = 64

// Same input, same output object: ajv's compile cache is keyed by schema identity.
const rewritten: Record<Direction, WeakMap<object, JsonSchema>> = { request: new WeakMap(), response: new WeakMap() }

/** The schema with properties of the other direction forbidden; the input itself when it has none. */
export function forbidAccessMode(schema: JsonSchema, direction: Direction): JsonSchema {
  if (!isSchemaObject(schema)) return schema
  const cached = rewritten[direction].get(schema)
  if (cached !== undefined) return cached
  const result = new Rewriter(schema, direction).rewrite(schema, undefined, 0)
  rewritten[direction].set(schema, result)
  return result
}

class Rewriter {
  private readonly root: JsonSchema
  private readonly marker: string
  private readonly replacement: SchemaObject

  constructor(root: JsonSchema, direction: Direction) {
    this.root = root
    this.marker = MARKER[direction]
    this.replacement = { [FORBIDDEN_KEYWORD]: MESSAGE[direction] }
  }

  /** `inherited`: forbidden names of an enclosing allOf, whose `required` lists here must not demand. */
  rewrite(node: JsonSchema, inherited: ReadonlySet<string> | undefined, depth: number): JsonSchema {
    if (!isSchemaObject(node) || depth > MAX_DEPTH) return node
    let copy: SchemaObject | undefined
    const change = (key: string, value: unknown): void => {
      if (value === node[key]) return
      copy ??= { ...node }
      copy[key] = value
    }

    const forbidden = new Set(inherited)
    if (isSchemaObject(node.properties)) {
      let properties: SchemaObject | undefined
      for (const [name, sub] of Object.entries(node.properties)) {
        const marked = this.isMarked(sub, 0)
        if (marked) forbidden.add(name)
        const next = marked ? this.replacement : this.rewrite(sub as JsonSchema, undefined, depth + 1)
        if (next !== sub) {
          properties ??= { ...node.properties }
          properties[name] = next
        }
      }
      if (properties !== undefined) change('properties', properties)
    }
    if (Array.isArray(node.allOf)) {
      for (const member of node.allOf) for (const name of this.markedPropertyNames(member)) forbidden.add(name)
      change('allOf', this.rewriteList(node.allOf, forbidden, depth))
    }
    if (Array.isArray(node.required) && forbidden.size > 0) {
      const required = node.required.filter((name) => !forbidden.has(String(name)))
      if (required.length !== node.required.length) change('required', required)
    }
    for (const key of SINGLE) if (key in node) change(key, this.rewrite(node[key] as JsonSchema, undefined, depth + 1))
    for (const key of LISTS) if (Array.isArray(node[key])) change(key, this.rewriteList(node[key], undefined, depth))
    for (const key of MAPS) {
      const map = node[key]
      if (!isSchemaObject(map)) continue
      let next: SchemaObject | undefined
      for (const [name, sub] of Object.entries(map)) {
        const rewrittenSub = this.rewrite(sub as JsonSchema, undefined, depth + 1)
        if (rewrittenSub !== sub) {
          next ??= { ...map }
          next[name] = rewrittenSub
        }
      }
      if (next !== undefined) change(key, next)
    }
    return copy ?? node
  }

  private rewriteList(list: readonly unknown[], inherited: ReadonlySet<string> | undefined, depth: number): unknown[] | readonly unknown[] {
    let next: unknown[] | undefined
    list.forEach((member, i) => {
      const rewrittenMember = this.rewrite(member as JsonSchema, inherited, depth + 1)
      if (rewrittenMember !== member) {
        next ??= [...list]
        next[i] = rewrittenMember
      }
    })
    return next ?? list
  }

  /** `readOnly: true` (or writeOnly) on the schema, its `$ref` target or an allOf member. */
  private isMarked(schema: unknown, depth: number): boolean {
    if (!isSchemaObject(schema) || depth > MAX_DEPTH) return false
    if (schema[this.marker] === true) return true
    if (typeof schema.$ref === 'string' && this.isMarked(resolveLocalRef(this.root, schema.$ref), depth + 1)) return true
    return Array.isArray(schema.allOf) && schema.allOf.some((member) => this.isMarked(member, depth + 1))
  }

  private markedPropertyNames(member: unknown): string[] {
    const target = isSchemaObject(member) && typeof member.$ref === 'string' ? resolveLocalRef(this.root, member.$ref) : member
    if (!isSchemaObject(target) || !isSchemaObject(target.properties)) return []
    return Object.entries(target.properties).filter(([, sub]) => this.isMarked(sub, 0)).map(([name]) => name)
  }
}
