// Path, query, header and cookie parameters: compiled once per operation into a plan that, per
// request, reads only the declared parameters, decodes each by its style, coerces it by its
// schema and validates it with its compiled ajv function.
import type { Ajv2020, ValidateFunction } from 'ajv/dist/2020.js'
import type { ParameterModel } from '../model.ts'
import { compileValueCoercer, type ValueCoercer } from './coerce.ts'
import { IssueSink } from './issues.ts'
import { bodyKind, mediaEssence } from './media-types.ts'
import { collectCookies, collectQuery, OccurrenceCollector } from './occurrences.ts'
import {
  decodeDelimited,
  decodeKeyedOccurrences,
  decodeLabel,
  decodeMatrix,
  decodeOccurrences,
  INVALID_ENCODING,
  StyleError,
  type PieceDecoder,
} from './parameter-styles.ts'
import { percentDecode } from './percent-decode.ts'
import { objectSchemaParts, schemaTypes, valueShape } from './schema-shape.ts'
import { compileSchema, createSpecAjv } from './spec-ajv.ts'
import type { RequestParts, ValidationIssue } from './types.ts'

/** Header parameters the OpenAPI specification says to ignore: other parts of the gateway own them. */
const IGNORED_HEADERS = new Set(['accept', 'content-type', 'authorization'])
const SPACE_SEPARATOR = /%20|\+| /
const PIPE_SEPARATOR = /\||%7[cC]/
const NOT_JSON = new StyleError('is not valid JSON')
const MUST_NOT_BE_EMPTY = 'must not be empty'
const IS_REQUIRED = 'is required'
const NONE: readonly string[] = []

type EmptyPolicy = 'accept' | 'validate' | 'reject'

interface CompiledParameter {
  readonly model: ParameterModel
  /** `query.limit`, `header.x-request-id` … */
  readonly location: string
  /** Header name in lower case, or the name as declared. */
  readonly key: string
  /** Query/cookie collector slot; -1 for path and header parameters. */
  readonly slot: number
  /** From one raw string (path, header, non-exploded query/cookie value). Failure: a StyleError. */
  readonly decodeText: (raw: string) => unknown
  /** From the collected occurrences (query/cookie). Failure: a StyleError. */
  readonly decodeCollected: (values: readonly string[], pairs: readonly string[]) => unknown
  readonly coerce: ValueCoercer
  readonly validate: ValidateFunction
  readonly empty: EmptyPolicy
}

const trimPiece: PieceDecoder = (piece) => piece.trim()
const pathPiece: PieceDecoder = (piece) => percentDecode(piece, false)
const queryPiece: PieceDecoder = (piece) => percentDecode(piece, true)

function pieceDecoder(model: ParameterModel): PieceDecoder {
  switch (model.in) {
    case 'path':
    case 'cookie':
      return pathPiece
    // Header values are not URI components: a '%' in them is literal. Items lose their blanks (OWS).
    case 'header':
      return trimPiece
    // '+' is a space in a form-encoded query value, unless reserved characters may be sent as they are.
    case 'query':
      return model.allowReserved ? pathPiece : queryPiece
  }
}

/** The value as its `content` media type reads it: JSON parsed, anything else as text. */
function contentDecoder(model: ParameterModel, decode: PieceDecoder): (raw: string) => unknown {
  const json = bodyKind(mediaEssence(model.contentType ?? '')) === 'json'
  return (raw) => {
    const text = decode(raw)
    if (text === undefined) return INVALID_ENCODING
    if (!json) return text
    try {
      return JSON.parse(text)
    } catch {
      return NOT_JSON
    }
  }
}

/** How one raw string of this parameter is read, by location and style. */
function textDecoder(model: ParameterModel, shape: ReturnType<typeof valueShape>, decode: PieceDecoder): (raw: string) => unknown {
  const { style, explode } = model
  if (style === 'label') return (raw) => decodeLabel(raw, shape, explode, decode)
  if (style === 'matrix') return (raw) => decodeMatrix(raw, model.name, shape, explode, decode)
  if (style === 'spaceDelimited') return (raw) => decodeDelimited(raw, shape, SPACE_SEPARATOR, false, decode)
  if (style === 'pipeDelimited') return (raw) => decodeDelimited(raw, shape, PIPE_SEPARATOR, false, decode)
  // simple and form: objects are `k=v,k2=v2` only for exploded simple; exploded form never gets here.
  return (raw) => decodeDelimited(raw, shape, ',', style === 'simple' && explode, decode)
}

function allEmpty(values: readonly string[]): boolean {
  for (const value of values) if (value !== '') return false
  return values.length > 0
}

function emptyPolicy(model: ParameterModel, validate: ValidateFunction): EmptyPolicy {
  if (model.in !== 'query') return 'validate'
  if (model.allowEmptyValue) return 'accept'
  return validate('') ? 'validate' : 'reject'
}

export class ParameterChecker {
  private readonly path: CompiledParameter[] = []
  private readonly query: CompiledParameter[] = []
  private readonly headers: CompiledParameter[] = []
  private readonly cookies: CompiledParameter[] = []
  private readonly queryCollector = new OccurrenceCollector()
  private readonly cookieCollector = new OccurrenceCollector()

  constructor(parameters: readonly ParameterModel[], ajv: Ajv2020) {
    for (const model of parameters) {
      if (model.in === 'header' && IGNORED_HEADERS.has(model.name.toLowerCase())) continue
      const compiled = this.compile(model, ajv)
      if (model.in === 'path') this.path.push(compiled)
      else if (model.in === 'query') this.query.push(compiled)
      else if (model.in === 'header') this.headers.push(compiled)
      else this.cookies.push(compiled)
    }
  }

  get isEmpty(): boolean {
    return this.path.length + this.query.length + this.headers.length + this.cookies.length === 0
  }

  /**
   * Decodes and validates every declared parameter, adding issues to the sink. `onValue`, when
   * given, receives each present parameter's decoded and coerced value (for decodeParameters).
   */
  check(parts: Pick<RequestParts, 'pathParams' | 'query' | 'headers'>, sink: IssueSink, onValue?: (location: string, value: unknown) => void): void {
    for (const p of this.path) {
      const raw = parts.pathParams[p.key]
      if (raw === undefined) sink.add(p.location, IS_REQUIRED)
      else this.finish(p, p.decodeText(raw), sink, onValue)
    }
    if (this.query.length > 0) {
      this.queryCollector.reset()
      if (parts.query !== '') collectQuery(parts.query, this.queryCollector)
      this.checkCollected(this.query, this.queryCollector, sink, onValue)
    }
    for (const p of this.headers) {
      const raw = parts.headers[p.key]
      if (raw === undefined) {
        if (p.model.required) sink.add(p.location, IS_REQUIRED)
      } else {
        this.finish(p, p.decodeText(typeof raw === 'string' ? raw : raw.join(', ')), sink, onValue)
      }
    }
    if (this.cookies.length > 0) {
      this.cookieCollector.reset()
      const header = parts.headers.cookie
      if (header !== undefined) collectCookies(typeof header === 'string' ? header : header.join('; '), this.cookieCollector)
      this.checkCollected(this.cookies, this.cookieCollector, sink, onValue)
    }
  }

  private checkCollected(list: readonly CompiledParameter[], collector: OccurrenceCollector, sink: IssueSink, onValue: ((location: string, value: unknown) => void) | undefined): void {
    for (const p of list) {
      if (!collector.isPresent(p.slot)) {
        if (p.model.required) sink.add(p.location, IS_REQUIRED)
        continue
      }
      const values = collector.values[p.slot] ?? NONE
      if (p.empty !== 'validate' && allEmpty(values)) {
        if (p.empty === 'reject') sink.add(p.location, MUST_NOT_BE_EMPTY)
        continue
      }
      this.finish(p, p.decodeCollected(values, collector.pairs[p.slot] ?? NONE), sink, onValue)
    }
  }

  private finish(p: CompiledParameter, decoded: unknown, sink: IssueSink, onValue: ((location: string, value: unknown) => void) | undefined): void {
    if (decoded instanceof StyleError) {
      sink.add(p.location, decoded.message)
      return
    }
    const value = p.coerce(decoded as never)
    if (!p.validate(value)) sink.addAjvErrors(p.location, p.validate.errors)
    onValue?.(p.location, value)
  }

  private compile(model: ParameterModel, ajv: Ajv2020): CompiledParameter {
    const schema = model.schema
    const validate = compileSchema(ajv, schema, `${model.pointer}/schema`)
    const key = model.in === 'header' ? model.name.toLowerCase() : model.name
    const location = `${model.in}.${key}`
    const decode = pieceDecoder(model)
    const collector = model.in === 'query' ? this.queryCollector : model.in === 'cookie' ? this.cookieCollector : undefined
    const slot = collector?.addSlot() ?? -1

    if (model.contentType !== undefined) {
      const decodeText = contentDecoder(model, decode)
      collector?.collectValues(model.name, slot)
      return { model, location, key, slot, decodeText, decodeCollected: (values) => decodeText(values[0]), coerce: (v) => v, validate, empty: 'validate' }
    }

    const shape = valueShape(schemaTypes(schema, schema))
    const coerce = compileValueCoercer(schema, schema, shape)
    const decodeText = textDecoder(model, shape, decode)
    let decodeCollected: CompiledParameter['decodeCollected'] = (values) => decodeText(values[0])
    const exploded = model.explode && model.style !== 'deepObject' && (model.style === 'form' || shape === 'array')
    if (collector !== undefined) {
      if (model.style === 'deepObject') {
        collector.collectBracketed(model.name, slot)
        decodeCollected = (_values, pairs) => decodeKeyedOccurrences(pairs, decode)
      } else if (exploded && shape === 'object') {
        // `role=admin&firstName=Alex`: the object's properties are keys of their own.
        const parts = objectSchemaParts(schema, schema)
        for (const property of parts.properties.keys()) collector.collectProperty(property, slot)
        if (parts.properties.size === 0 && parts.allowsAdditional) collector.collectUnclaimed(slot)
        decodeCollected = (_values, pairs) => decodeKeyedOccurrences(pairs, decode)
      } else {
        collector.collectValues(model.name, slot)
        if (exploded) decodeCollected = (values) => decodeOccurrences(values, shape, decode)
      }
    }
    return { model, location, key, slot, decodeText, decodeCollected, coerce, validate, empty: emptyPolicy(model, validate) }
  }
}

export interface DecodedParameters {
  /** Decoded and coerced values of the parameters that were present, by location (`query.limit`). */
  values: Record<string, unknown>
  issues: readonly ValidationIssue[]
}

/**
 * Decodes (and validates) the parameters of one request without the rest of a request validator:
 * for tests and tooling. Compiles on every call; the gateway uses compileRequestValidator.
 */
export function decodeParameters(parameters: readonly ParameterModel[], parts: Pick<RequestParts, 'pathParams' | 'query' | 'headers'>, options: { ajv?: Ajv2020 } = {}): DecodedParameters {
  const checker = new ParameterChecker(parameters, options.ajv ?? createSpecAjv())
  const sink = new IssueSink('parameters')
  const values: Record<string, unknown> = {}
  checker.check(parts, sink, (location, value) => {
    values[location] = value
  })
  return { values, issues: sink.result() }
}
