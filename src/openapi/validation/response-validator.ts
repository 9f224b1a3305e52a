// Checks an upstream's response against the operation's declared responses: the response is
// chosen by exact status, then its range (`2XX`), then `default`; a JSON body is validated
// against that response's schema for the Content-Type, with write-only properties forbidden.
// Response headers are not checked.
import type { Ajv2020, ValidateFunction } from 'ajv/dist/2020.js'
import type { OperationModel, ResponseModel } from '../model.ts'
import { forbidAccessMode } from './access-modes.ts'
import { BodyError, parseJsonBody } from './body.ts'
import { IssueSink } from './issues.ts'
import { MediaRanges } from './media-types.ts'
import { compileSchema, createSpecAjv } from './spec-ajv.ts'
import { pointerSegment } from './schema-shape.ts'
import type { ResponseValidator, ValidationIssue } from './types.ts'

const BODY_LOCATION = 'response.body'

interface CompiledResponse {
  /** By media range; a range without a schema maps to undefined (only its Content-Type is checked). */
  media: MediaRanges<ValidateFunction | undefined>
}

class OperationResponseValidator implements ResponseValidator {
  private readonly exact = new Map<number, CompiledResponse>()
  /** Index 1–5: the `1XX` … `5XX` responses. */
  private readonly ranges: Array<CompiledResponse | undefined> = []
  private fallback: CompiledResponse | undefined
  private readonly sink = new IssueSink('response')

  constructor(operation: OperationModel, ajv: Ajv2020) {
    for (const response of operation.responses) {
      const compiled = this.compile(ajv, operation.pointer, response)
      const status = response.status.toUpperCase()
      if (status === 'DEFAULT') this.fallback = compiled
      else if (/^[1-5]XX$/.test(status)) this.ranges[Number(status[0])] = compiled
      else if (/^\d{3}$/.test(status)) this.exact.set(Number(status), compiled)
    }
  }

  validate(status: number, contentType: string | undefined, body: Buffer | undefined): readonly ValidationIssue[] {
    const sink = this.sink
    sink.reset()
    const response = this.exact.get(status) ?? this.ranges[Math.floor(status / 100)] ?? this.fallback
    if (response === undefined) {
      sink.add('response.status', `${status} is not a declared status of this operation`)
      return sink.result()
    }
    // An empty body is not checked: HEAD, 304 and bodies the proxy did not keep look the same here.
    if (body === undefined || body.length === 0 || response.media.isEmpty) return sink.result()
    const refusal = response.media.refusal(contentType)
    if (refusal !== undefined) {
      sink.add('response.header.content-type', refusal)
      return sink.result()
    }
    const match = response.media.match(contentType as string)
    const validate = match.entry
    if (validate === undefined || match.kind !== 'json') return sink.result()
    const value = parseJsonBody(body)
    if (value instanceof BodyError) sink.add(BODY_LOCATION, value.message)
    else if (!validate(value)) sink.addAjvErrors(BODY_LOCATION, validate.errors)
    return sink.result()
  }

  private compile(ajv: Ajv2020, operationPointer: string, response: ResponseModel): CompiledResponse {
    const entries: Array<[string, ValidateFunction | undefined]> = []
    for (const [range, media] of Object.entries(response.content)) {
      const pointer = `${operationPointer}/responses/${pointerSegment(response.status)}/content/${pointerSegment(range)}/schema`
      entries.push([range, media.schema === undefined ? undefined : compileSchema(ajv, forbidAccessMode(media.schema, 'response'), pointer)])
    }
    return { media: new MediaRanges(entries) }
  }
}

/** Compiles the checks of one operation's responses. Throws a SchemaCompileError for a schema ajv cannot compile. */
export function compileResponseValidator(operation: OperationModel, options: { ajv?: Ajv2020 } = {}): ResponseValidator {
  return new OperationResponseValidator(operation, options.ajv ?? createSpecAjv())
}
