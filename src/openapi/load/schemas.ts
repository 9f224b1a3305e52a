// Every schema handed out is a self-contained JSON Schema (draft 2020-12): `$ref`s are inlined,
// OpenAPI 3.0 / Swagger 2.0 dialect is rewritten (`nullable`, boolean `exclusiveMinimum`,
// `type: file` …) and keywords a 2020-12 compiler would not understand are dropped. A schema that
// contains itself keeps that recursion as `$ref: '#/$defs/<name>'` into its own `$defs`.
import type { JsonSchema } from '../model.ts'
import { child, report, type LoadContext, type Located } from './context.ts'
import { isObject, parsePointer } from './pointer.ts'
import { isReference, resolveOnce } from './refs.ts'
import { keywordProblem } from './schema-keywords.ts'

/** Keywords whose value is a map of schemas, a schema, or a list of schemas. */
const SCHEMA_MAPS = new Set(['properties', 'patternProperties', 'dependentSchemas'])
const SCHEMA_VALUES = new Set(['additionalProperties', 'items', 'additionalItems', 'not', 'contains', 'propertyNames', 'if', 'then', 'else', 'unevaluatedItems', 'unevaluatedProperties', 'contentSchema'])
const SCHEMA_LISTS = new Set(['allOf', 'anyOf', 'oneOf', 'prefixItems'])

/**
 * Not validation keywords, or ones that would confuse a compiler once schemas are inlined: local
 * `$defs` are gone (their `$ref`s are resolved here), and an inlined `$id` or `$anchor` would
 * appear twice.
 */
const DROPPED = new Set(['example', 'discriminator', 'xml', 'externalDocs', '$schema', '$id', '$anchor', '$dynamicAnchor', '$dynamicRef', '$defs', 'definitions', 'nullable', 'x-nullable', 'collectionFormat'])

/** Deeper than this, a schema is taken to be a cycle of YAML aliases rather than a real schema. */
const MAX_DEPTH = 200

/** The schema at `node` (inline or a `$ref`) as a self-contained 2020-12 schema. */
export function convertSchema(ctx: LoadContext, node: Located): JsonSchema {
  const names = nameTargets(findRecursionTargets(ctx, node))
  const converter = new Converter(ctx, names)
  const converted = converter.convert(node, 0)
  if (names.size === 0) return converted
  // Converting one definition may meet the next recursion target: continue until all are written.
  const $defs: Record<string, JsonSchema> = {}
  for (let pending = converter.pendingDefinitions($defs); pending.length > 0; pending = converter.pendingDefinitions($defs)) {
    for (const [name, target] of pending) $defs[name] = converter.convert(target, 0, true)
  }
  return typeof converted === 'boolean' ? converted : { ...converted, $defs }
}

class Converter {
  /** Where each recursion target met so far is written, for its `$defs` entry. */
  readonly #targets = new Map<string, Located>()
  readonly #ctx: LoadContext
  readonly #names: Map<string, string>

  constructor(ctx: LoadContext, names: Map<string, string>) {
    this.#ctx = ctx
    this.#names = names
  }

  /** `asDefinition`: converting the body of a `$defs` entry rather than referring to it. */
  convert(node: Located, depth: number, asDefinition = false): JsonSchema {
    const value = node.value
    if (typeof value === 'boolean') return value
    if (!isObject(value)) return {}
    if (depth > MAX_DEPTH) {
      report(this.#ctx, node, `this schema is nested too deeply (more than ${MAX_DEPTH} levels)`)
      return {}
    }
    const name = this.#names.get(keyOf(node))
    if (name !== undefined && !asDefinition) {
      this.#targets.set(keyOf(node), node)
      return { $ref: `#/$defs/${name}` }
    }
    if (isReference(value)) return this.#reference(node as Located & { value: { $ref: string } }, depth)
    return this.#keywords(node, depth)
  }

  /** Recursion targets met but not yet in `$defs`. */
  pendingDefinitions($defs: Record<string, JsonSchema>): [string, Located][] {
    const pending: [string, Located][] = []
    for (const [key, target] of this.#targets) {
      const name = this.#names.get(key)!
      if (!Object.hasOwn($defs, name)) pending.push([name, target])
    }
    return pending
  }

  #reference(node: Located & { value: { $ref: string } }, depth: number): JsonSchema {
    const target = resolveOnce(this.#ctx.sources, node)
    // An unresolved reference was reported when the documents were read.
    const resolved = target === undefined ? {} : this.convert(target, depth + 1)
    // Beside a `$ref`, 3.1 (2020-12) applies the other keywords too; 2.0 and 3.0 ignore them.
    const siblings = Object.keys(node.value).filter((keyword) => keyword !== '$ref' && keyword !== 'description' && keyword !== 'summary')
    if (this.#ctx.version !== '3.1' || siblings.length === 0) return resolved
    const { $ref: _ignored, ...rest } = node.value
    const own = this.#keywords({ ...node, value: rest }, depth)
    if (typeof own === 'boolean') return own ? resolved : false
    return { ...own, allOf: [resolved, ...((own.allOf as JsonSchema[] | undefined) ?? [])] }
  }

  #keywords(node: Located, depth: number): JsonSchema {
    const source = node.value as Record<string, unknown>
    const legacy = this.#ctx.version !== '3.1'
    // Swagger 2.0 file uploads carry no structure a validator could check.
    if (legacy && source.type === 'file') return {}
    const out: Record<string, unknown> = {}
    for (const [keyword, value] of Object.entries(source)) {
      if (keyword.startsWith('x-') || DROPPED.has(keyword)) continue
      const at = child(node, keyword)
      const problem = keywordProblem(keyword, value, legacy)
      if (problem !== undefined) report(this.#ctx, at, problem)
      if (SCHEMA_MAPS.has(keyword) && isObject(value)) {
        out[keyword] = Object.fromEntries(Object.keys(value).map((name) => [name, this.convert(child(at, name), depth + 1)]))
      } else if (SCHEMA_LISTS.has(keyword) && Array.isArray(value)) {
        out[keyword] = value.map((_, index) => this.convert(child(at, index), depth + 1))
      } else if (keyword === 'items' && Array.isArray(value)) {
        // A list of item schemas is a tuple, which 2020-12 spells `prefixItems`.
        out.prefixItems = value.map((_, index) => this.convert(child(at, index), depth + 1))
      } else if (SCHEMA_VALUES.has(keyword)) {
        out[keyword] = this.convert(at, depth + 1)
      } else out[keyword] = structuredClone(value)
    }
    if (!legacy) return out
    rewriteExclusiveBound(out, 'exclusiveMinimum', 'minimum')
    rewriteExclusiveBound(out, 'exclusiveMaximum', 'maximum')
    return source.nullable === true || source['x-nullable'] === true ? nullable(out) : out
  }
}

/** Draft-04 style `exclusiveMinimum: true` next to `minimum: 5` is `exclusiveMinimum: 5` in 2020-12. */
function rewriteExclusiveBound(schema: Record<string, unknown>, exclusive: string, inclusive: string): void {
  const flag = schema[exclusive]
  if (typeof flag !== 'boolean') return
  delete schema[exclusive]
  if (flag && typeof schema[inclusive] === 'number') {
    schema[exclusive] = schema[inclusive]
    delete schema[inclusive]
  }
}

function nullable(schema: Record<string, unknown>): JsonSchema {
  if (Array.isArray(schema.enum) && !schema.enum.includes(null)) schema.enum = [...schema.enum, null]
  if (typeof schema.type === 'string') return { ...schema, type: [schema.type, 'null'] }
  if (Array.isArray(schema.type)) return schema.type.includes('null') ? schema : { ...schema, type: [...schema.type, 'null'] }
  return { anyOf: [schema, { type: 'null' }] }
}

/**
 * The `$ref` targets that are reached again while being expanded: a depth-first walk over
 * references, where a reference back to a target still being expanded marks it recursive.
 * Stopping at those targets leaves no cycle, so inlining everything else terminates.
 */
function findRecursionTargets(ctx: LoadContext, top: Located): Set<string> {
  const recursive = new Set<string>()
  const expanding = new Set<string>()
  const finished = new Set<string>()
  const explore = (key: string, node: Located): void => {
    expanding.add(key)
    for (const reference of referencesIn(ctx, node, 0)) {
      const target = resolveOnce(ctx.sources, reference)
      if (target === undefined) continue
      const targetKey = keyOf(target)
      if (expanding.has(targetKey)) recursive.add(targetKey)
      else if (!finished.has(targetKey)) explore(targetKey, target)
    }
    expanding.delete(key)
    finished.add(key)
  }
  explore(keyOf(top), top)
  return recursive
}

/** The `$ref` objects directly inside a schema (not looking through them). */
function referencesIn(ctx: LoadContext, node: Located, depth: number): (Located & { value: { $ref: string } })[] {
  const value = node.value
  if (!isObject(value) || depth > MAX_DEPTH) return []
  const found: (Located & { value: { $ref: string } })[] = []
  if (isReference(value)) {
    found.push(node as Located & { value: { $ref: string } })
    // Only 3.1 gives the keywords beside a `$ref` a meaning.
    if (ctx.version !== '3.1') return found
  }
  for (const [keyword, member] of Object.entries(value)) {
    if (keyword.startsWith('x-') || DROPPED.has(keyword)) continue
    const at = child(node, keyword)
    if (SCHEMA_MAPS.has(keyword) && isObject(member)) for (const name of Object.keys(member)) found.push(...referencesIn(ctx, child(at, name), depth + 1))
    else if ((SCHEMA_LISTS.has(keyword) || keyword === 'items') && Array.isArray(member)) member.forEach((_, index) => found.push(...referencesIn(ctx, child(at, index), depth + 1)))
    else if (SCHEMA_VALUES.has(keyword)) found.push(...referencesIn(ctx, at, depth + 1))
  }
  return found
}

/** `$defs` names from the targets' last pointer segments (`Node`, `Node_2` …), safe in a `$ref`. */
function nameTargets(keys: Set<string>): Map<string, string> {
  const names = new Map<string, string>()
  const used = new Set<string>()
  for (const key of keys) {
    const pointer = key.slice(key.indexOf('#'))
    const last = parsePointer(pointer).at(-1) ?? 'schema'
    const base = last.replace(/[^A-Za-z0-9_.-]/g, '_') || 'schema'
    let name = base
    for (let suffix = 2; used.has(name); suffix++) name = `${base}_${suffix}`
    used.add(name)
    names.set(key, name)
  }
  return names
}

function keyOf(node: Located): string {
  return `${node.file}${node.pointer}`
}
