// Parameters in the OpenAPI 3 form: style and explode defaults made explicit, Swagger 2.0
// `collectionFormat`s mapped onto styles, and one value schema per parameter.
import type { ParameterLocation, ParameterModel, ParameterStyle } from '../model.ts'
import { child, report, type LoadContext, type Located } from './context.ts'
import { isObject } from './pointer.ts'
import { convertSchema } from './schemas.ts'

/** A parameter as listed by an operation or path item: `pointer` is where it is listed, `node` what it is (after `$ref`s). */
export interface ListedParameter {
  pointer: string
  node: Located
}

const LOCATIONS = new Set<string>(['path', 'query', 'header', 'cookie'])

/** Swagger 2.0 keywords of a non-body parameter (or response header) that describe its value. */
const VALUE_KEYWORDS = ['type', 'format', 'items', 'enum', 'default', 'maximum', 'exclusiveMaximum', 'minimum', 'exclusiveMinimum', 'maxLength', 'minLength', 'pattern', 'maxItems', 'minItems', 'uniqueItems', 'multipleOf', 'x-nullable']

export function parameterModel(ctx: LoadContext, listed: ListedParameter): ParameterModel | undefined {
  const value = listed.node.value
  if (!isObject(value) || typeof value.name !== 'string' || typeof value.in !== 'string' || !LOCATIONS.has(value.in)) return undefined
  const location = value.in as ParameterLocation
  // Path parameters are part of the path: there is no request without them.
  const required = location === 'path' || value.required === true
  const flags = { allowReserved: value.allowReserved === true, allowEmptyValue: value.allowEmptyValue === true }
  if (ctx.version === '2.0') {
    const { style, explode } = legacyStyle(ctx, listed.node, location)
    return { name: value.name, in: location, required, style, explode, ...flags, schema: convertSchema(ctx, valueSchemaOf(listed.node)), pointer: listed.pointer }
  }
  const style = typeof value.style === 'string' ? (value.style as ParameterStyle) : defaultStyle(location)
  const explode = typeof value.explode === 'boolean' ? value.explode : style === 'form'
  if (value.schema !== undefined || !isObject(value.content)) {
    const schema = value.schema === undefined ? {} : convertSchema(ctx, child(listed.node, 'schema'))
    return { name: value.name, in: location, required, style, explode, ...flags, schema, pointer: listed.pointer }
  }
  // A parameter described by `content` has exactly one media type (e.g. a JSON-encoded query value).
  const contentType = Object.keys(value.content)[0]
  const media = child(listed.node, 'content', contentType)
  const schema = isObject(media.value) && media.value.schema !== undefined ? convertSchema(ctx, child(media, 'schema')) : {}
  return { name: value.name, in: location, required, style, explode, ...flags, schema, contentType, pointer: listed.pointer }
}

/** The value keywords of a Swagger 2.0 parameter or header, as a schema located where they are written. */
export function valueSchemaOf(node: Located): Located {
  const source = isObject(node.value) ? node.value : {}
  const picked = Object.fromEntries(VALUE_KEYWORDS.filter((keyword) => keyword in source).map((keyword) => [keyword, source[keyword]]))
  return { ...node, value: picked }
}

function defaultStyle(location: ParameterLocation): ParameterStyle {
  return location === 'query' || location === 'cookie' ? 'form' : 'simple'
}

/** Swagger 2.0 `collectionFormat` (default csv) as an OpenAPI 3 style; it only matters for arrays. */
function legacyStyle(ctx: LoadContext, node: Located, location: ParameterLocation): { style: ParameterStyle; explode: boolean } {
  const value = node.value as Record<string, unknown>
  const fallback = { style: defaultStyle(location), explode: location === 'query' || location === 'cookie' }
  if (value.type !== 'array') return fallback
  const format = value.collectionFormat ?? 'csv'
  switch (format) {
    case 'csv':
      return { style: location === 'query' ? 'form' : 'simple', explode: false }
    case 'ssv':
      return { style: 'spaceDelimited', explode: false }
    case 'pipes':
      return { style: 'pipeDelimited', explode: false }
    case 'multi':
      return { style: 'form', explode: true }
    default:
      report(ctx, child(node, 'collectionFormat'), `collectionFormat ${JSON.stringify(format)} is not supported: OpenAPI 3 has no style for tab-separated values, so such a parameter cannot be checked; use csv, ssv, pipes or multi`)
      return fallback
  }
}
