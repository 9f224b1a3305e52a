// One request validator per operation, compiled when the API is loaded. Per request it reads
// only what the operation declares; an operation that declares nothing returns at once.
import type { Ajv2020, ValidateFunction } from 'ajv/dist/2020.js'
import type { MediaTypeModel, OperationModel, RequestBodyModel } from '../model.ts'
import { forbidAccessMode } from './access-modes.ts'
import { BodyError, parseFormBody, parseJsonBody } from './body.ts'
import { compileValueCoercer, type ValueCoercer } from './coerce.ts'
import { IssueSink } from './issues.ts'
import { MediaRanges, mediaEssence, bodyKind } from './media-types.ts'
import { ParameterChecker } from './parameters.ts'
import { compileSchema, createSpecAjv } from './spec-ajv.ts'
import { pointerSegment } from './schema-shape.ts'
import { NO_ISSUES, type RequestParts, type RequestValidator, type ValidationIssue } from './types.ts'

const CONTENT_TYPE_LOCATION = 'header.content-type'

interface CompiledMedia {
  validate: ValidateFunction | undefined
  /** For form bodies: the schema's coercion of field strings. */
  coerceForm: ValueCoercer | undefined
}

/** Whether a body of this declared range could be one this validator reads (JSON or a form). */
function readableRange(range: string): boolean {
  const essence = mediaEssence(range)
  return bodyKind(essence) !== 'other' || essence.endsWith('/*') || essence === '*/*+json'
}

function compileMedia(ajv: Ajv2020, body: RequestBodyModel, range: string, media: MediaTypeModel): CompiledMedia {
  if (media.schema === undefined) return { validate: undefined, coerceForm: undefined }
  const schema = forbidAccessMode(media.schema, 'request')
  const validate = compileSchema(ajv, schema, `${body.pointer}/content/${pointerSegment(range)}/schema`)
  // Only a range a form can match needs the field coercion (`*/*`, `application/*`, the form type).
  const formPossible = bodyKind(mediaEssence(range)) !== 'json'
  return { validate, coerceForm: formPossible ? compileValueCoercer(schema, schema, 'object') : undefined }
}

class OperationRequestValidator implements RequestValidator {
  readonly needsBody: boolean
  private readonly parameters: ParameterChecker
  private readonly body: RequestBodyModel | undefined
  private readonly media: MediaRanges<CompiledMedia>
  private readonly sink = new IssueSink('request')
  private readonly nothingToCheck: boolean

  constructor(operation: OperationModel, ajv: Ajv2020) {
    this.parameters = new ParameterChecker(operation.parameters, ajv)
    this.body = operation.requestBody
    const ranges: Array<[string, CompiledMedia]> = []
    let needsBody = false
    if (this.body !== undefined) {
      for (const [range, media] of Object.entries(this.body.content)) {
        const compiled = compileMedia(ajv, this.body, range, media)
        ranges.push([range, compiled])
        if (compiled.validate !== undefined && readableRange(range)) needsBody = true
      }
    }
    this.media = new MediaRanges(ranges)
    this.needsBody = needsBody
    this.nothingToCheck = this.parameters.isEmpty && this.body === undefined
  }

  validate(parts: RequestParts): readonly ValidationIssue[] {
    if (this.nothingToCheck) return NO_ISSUES
    const sink = this.sink
    sink.reset()
    this.parameters.check(parts, sink)
    if (this.body !== undefined) this.checkBody(parts, sink)
    return sink.result()
  }

  checkContentType(contentType: string | undefined, hasBody: boolean): string | undefined {
    // A document may declare `content: {}`; then nothing is known to refuse.
    if (this.body === undefined || !hasBody || this.media.isEmpty) return undefined
    return this.media.refusal(contentType)
  }

  private checkBody(parts: RequestParts, sink: IssueSink): void {
    const body = parts.body
    if (body === undefined || body.length === 0) {
      // Without needsBody the gateway does not read the body, so its absence proves nothing.
      if (this.body?.required === true && this.needsBody) sink.add('body', 'is required')
      return
    }
    if (this.media.isEmpty) return
    const header = parts.headers['content-type']
    const contentType = typeof header === 'string' ? header : undefined
    const refusal = this.media.refusal(contentType)
    if (refusal !== undefined) {
      sink.add(CONTENT_TYPE_LOCATION, refusal)
      return
    }
    const match = this.media.match(contentType as string)
    const media = match.entry as CompiledMedia
    if (media.validate === undefined || match.kind === 'other') return
    if (match.kind === 'form' && media.coerceForm === undefined) return
    const value = match.kind === 'json' ? parseJsonBody(body) : parseFormBody(body, media.coerceForm as ValueCoercer)
    if (value instanceof BodyError) sink.add('body', value.message)
    else if (!media.validate(value)) sink.addAjvErrors('body', media.validate.errors)
  }
}

/** Compiles the checks of one operation's requests. Throws a SchemaCompileError for a schema ajv cannot compile. */
export function compileRequestValidator(operation: OperationModel, options: { ajv?: Ajv2020 } = {}): RequestValidator {
  return new OperationRequestValidator(operation, options.ajv ?? createSpecAjv())
}
