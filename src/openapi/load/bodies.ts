// Request bodies and responses with their media types. Swagger 2.0 `body` and `formData`
// parameters become request bodies, its `consumes` / `produces` lists become media types.
import type { JsonSchema, MediaTypeModel, RequestBodyModel, ResponseModel } from '../model.ts'
import { child, type LoadContext, type Located } from './context.ts'
import { isObject } from './pointer.ts'
import { follow } from './refs.ts'
import { convertSchema } from './schemas.ts'
import { orderedKeys } from './sources.ts'
import { valueSchemaOf, type ListedParameter } from './parameters.ts'

const FORM_TYPES = ['application/x-www-form-urlencoded', 'multipart/form-data']

/** An OpenAPI 3 Request Body (`node` already past its `$ref`s). */
export function requestBodyModel(ctx: LoadContext, node: Located, pointer: string): RequestBodyModel {
  const value = isObject(node.value) ? node.value : {}
  return { required: value.required === true, content: contentModel(ctx, child(node, 'content')), pointer }
}

/** Swagger 2.0: the `in: body` parameter, one media type per entry of `consumes`, each with the schema. */
export function bodyParameterModel(ctx: LoadContext, listed: ListedParameter, consumes: readonly string[]): RequestBodyModel {
  const value = listed.node.value as Record<string, unknown>
  const content: Record<string, MediaTypeModel> = {}
  for (const mediaType of consumes) content[mediaType] = value.schema === undefined ? {} : { schema: convertSchema(ctx, child(listed.node, 'schema')) }
  return { required: value.required === true, content, pointer: listed.pointer }
}

/**
 * Swagger 2.0: the `in: formData` parameters as one object schema (a property per parameter),
 * sent URL-encoded, or as multipart when `consumes` says so.
 */
export function formParametersModel(ctx: LoadContext, form: readonly ListedParameter[], consumes: readonly string[]): RequestBodyModel {
  const properties: Record<string, JsonSchema> = {}
  const required: string[] = []
  for (const { node } of form) {
    const value = node.value as Record<string, unknown>
    const name = String(value.name)
    properties[name] = convertSchema(ctx, valueSchemaOf(node))
    if (value.required === true) required.push(name)
  }
  const schema: JsonSchema = required.length > 0 ? { type: 'object', properties, required } : { type: 'object', properties }
  const declared = consumes.filter((mediaType) => FORM_TYPES.includes(mediaType.split(';')[0].trim().toLowerCase()))
  const mediaTypes = declared.length > 0 ? declared : [FORM_TYPES[0]]
  const content = Object.fromEntries(mediaTypes.map((mediaType) => [mediaType, { schema: structuredClone(schema) }]))
  return { required: required.length > 0, content, pointer: form[0].pointer }
}

/** The responses of an operation, in document order. */
export function responseModels(ctx: LoadContext, responses: Located, produces: readonly string[]): ResponseModel[] {
  if (!isObject(responses.value)) return []
  const statuses = orderedKeys(ctx.sources.document(responses.file), responses.pointer, responses.value).filter((status) => !status.startsWith('x-'))
  const models: ResponseModel[] = []
  for (const status of statuses) {
    const node = follow(ctx, child(responses, status))
    if (node === undefined || !isObject(node.value)) continue
    const description = typeof node.value.description === 'string' ? node.value.description : ''
    const headers = headerModels(ctx, child(node, 'headers'))
    const content = ctx.version === '2.0' ? legacyResponseContent(ctx, node, produces) : contentModel(ctx, child(node, 'content'))
    models.push({ status, description, headers, content })
  }
  return models
}

function headerModels(ctx: LoadContext, headers: Located): ResponseModel['headers'] {
  const result: ResponseModel['headers'] = {}
  if (!isObject(headers.value)) return result
  for (const name of Object.keys(headers.value)) {
    const node = follow(ctx, child(headers, name))
    if (node === undefined || !isObject(node.value)) continue
    if (ctx.version === '2.0') {
      result[name] = { required: false, schema: convertSchema(ctx, valueSchemaOf(node)) }
      continue
    }
    const media = isObject(node.value.content) ? child(node, 'content', Object.keys(node.value.content)[0] ?? '') : undefined
    const schemaAt = node.value.schema !== undefined ? child(node, 'schema') : media !== undefined && isObject(media.value) ? child(media, 'schema') : undefined
    result[name] = { required: node.value.required === true, schema: schemaAt === undefined || schemaAt.value === undefined ? {} : convertSchema(ctx, schemaAt) }
  }
  return result
}

/** OpenAPI 3 `content`: media type → schema, example and named examples. */
function contentModel(ctx: LoadContext, content: Located): Record<string, MediaTypeModel> {
  const result: Record<string, MediaTypeModel> = {}
  if (!isObject(content.value)) return result
  for (const mediaType of Object.keys(content.value)) {
    const node = child(content, mediaType)
    if (isObject(node.value)) result[mediaType] = mediaTypeModel(ctx, node)
  }
  return result
}

function mediaTypeModel(ctx: LoadContext, node: Located): MediaTypeModel {
  const value = node.value as Record<string, unknown>
  const model: MediaTypeModel = {}
  if (value.schema !== undefined) model.schema = convertSchema(ctx, child(node, 'schema'))
  if ('example' in value) model.example = structuredClone(value.example)
  if (isObject(value.examples)) {
    const examples: Record<string, unknown> = {}
    for (const name of Object.keys(value.examples)) {
      // Example Objects may be `$ref`s; an `externalValue` is never fetched.
      const example = follow(ctx, child(node, 'examples', name))
      if (example !== undefined && isObject(example.value) && 'value' in example.value) examples[name] = structuredClone(example.value.value)
    }
    if (Object.keys(examples).length > 0) model.examples = examples
  }
  return model
}

/** Swagger 2.0 response: its schema under every `produces` type; `examples` are keyed by media type. */
function legacyResponseContent(ctx: LoadContext, node: Located, produces: readonly string[]): Record<string, MediaTypeModel> {
  const value = node.value as Record<string, unknown>
  const examples = isObject(value.examples) ? value.examples : {}
  const mediaTypes = value.schema === undefined ? Object.keys(examples) : [...new Set([...produces, ...Object.keys(examples)])]
  const content: Record<string, MediaTypeModel> = {}
  for (const mediaType of mediaTypes) {
    const model: MediaTypeModel = {}
    if (value.schema !== undefined) model.schema = convertSchema(ctx, child(node, 'schema'))
    if (Object.hasOwn(examples, mediaType)) model.example = structuredClone(examples[mediaType])
    content[mediaType] = model
  }
  return content
}
