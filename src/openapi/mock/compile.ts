// The mock responder: every answer an operation can give (each usable response × media type ×
// named example) is built once at load, so answering a request only picks a prepared buffer.
import type { MediaTypeModel, OperationModel } from '../model.ts'
import { exampleFromSchema } from './example-from-schema.ts'
import { parseAccept, parsePrefer, pickMediaType } from './negotiate.ts'
import { declaredHeaders } from './response-headers.ts'
import { contentTypeFor, essenceOf, serialiseBody } from './serialise.ts'
import { defaultStatus, parseStatus, responseFor, type DeclaredStatus } from './status.ts'

export interface MockAnswer {
  status: number
  headers: Record<string, string>
  body: Buffer
}

export interface MockResponder {
  /**
   * The prepared answer for the request's Accept header (the best declared media type; absent or
   * `*\/*` → the first); `Prefer: code=404` / `Prefer: example=name` select another declared
   * response / named example when there is one. Answers are shared and frozen: copy to change.
   */
  answer(accept: string | undefined, prefer: string | undefined): MockAnswer
}

/** `reason` says what is missing, without naming the operation (the caller adds where). */
export type MockResult = { ok: true; responder: MockResponder } | { ok: false; reason: string }

export interface MockOptions {
  /** Answer with this declared status instead of the operation's success. */
  status?: number
  /** Build a body from the schema when the description has no example (default true). */
  generateFromSchema?: boolean
}

interface PreparedMedia {
  essence: string
  answer: MockAnswer
  named: Map<string, MockAnswer>
}

interface PreparedResponse {
  status: number
  /** Empty when the response has no content: then `bare` is the answer. */
  media: PreparedMedia[]
  /** No body, only the declared headers: the answer when there is no content. */
  bare: MockAnswer
  /** The declared headers alone, for a status that never carries a body. */
  headers: Readonly<Record<string, string>>
}

const EMPTY = Buffer.alloc(0)

export function compileMock(operation: OperationModel, options: MockOptions = {}): MockResult {
  const generate = options.generateFromSchema ?? true
  const declared = operation.responses.map(parseStatus).filter((entry) => entry !== undefined)
  let chosen: DeclaredStatus | undefined
  if (options.status !== undefined) {
    if (!Number.isInteger(options.status) || options.status < 100 || options.status > 599) return { ok: false, reason: `${options.status} is not an HTTP status` }
    chosen = responseFor(declared, options.status, false)
    if (chosen === undefined) return { ok: false, reason: `no response ${options.status} is declared (declared: ${operation.responses.map((r) => r.status).join(', ') || 'none'})` }
  } else {
    chosen = defaultStatus(declared)
    if (chosen === undefined) return { ok: false, reason: 'no responses are declared' }
  }
  // Only the default answer must exist; another response that cannot be built just cannot be asked for.
  const fallback = prepareResponse(chosen, options.status ?? chosen.status, generate)
  if (typeof fallback === 'string') return { ok: false, reason: `response ${chosen.response.status}: ${fallback}` }
  const prepared = new Map<DeclaredStatus, PreparedResponse>()
  for (const entry of declared) {
    const response = entry === chosen && fallback.status === entry.status ? fallback : prepareResponse(entry, entry.status, generate)
    if (typeof response !== 'string') prepared.set(entry, response)
  }
  return { ok: true, responder: createResponder(declared, prepared, fallback) }
}

function createResponder(declared: readonly DeclaredStatus[], prepared: Map<DeclaredStatus, PreparedResponse>, fallback: PreparedResponse): MockResponder {
  const defaultAnswer = fallback.media[0]?.answer ?? fallback.bare
  return {
    answer(accept, prefer) {
      if (accept === undefined && prefer === undefined) return defaultAnswer
      const preferences = prefer === undefined ? {} : parsePrefer(prefer)
      let target = fallback
      let status = fallback.status
      if (preferences.code !== undefined) {
        const entry = responseFor(declared, preferences.code, true)
        const asked = entry === undefined ? undefined : prepared.get(entry)
        if (asked !== undefined) {
          target = asked
          status = preferences.code
        }
      }
      if (hasNoBody(status)) return target.bare.status === status ? target.bare : Object.freeze({ status, headers: target.headers, body: EMPTY })
      const media = target.media.length === 0 ? undefined : target.media[negotiate(target.media, accept)]
      const answer = media === undefined ? target.bare : ((preferences.example === undefined ? undefined : media.named.get(preferences.example)) ?? media.answer)
      // A range (`4XX`) or `default` response answers with the very code asked for.
      return answer.status === status ? answer : Object.freeze({ ...answer, status })
    },
  }
}

/**
 * The index of the media type to answer with. When the client accepts none of the declared ones
 * the first is sent anyway rather than a 406: a mock is there to show what the API answers, and
 * a client that asked for something else learns more from that answer than from a refusal.
 */
function negotiate(media: readonly PreparedMedia[], accept: string | undefined): number {
  if (accept === undefined || media.length === 1) return 0
  const index = pickMediaType(parseAccept(accept), media.map((entry) => entry.essence))
  return index === -1 ? 0 : index
}

function prepareResponse(declared: DeclaredStatus, status: number, generate: boolean): PreparedResponse | string {
  const headers = Object.freeze(declaredHeaders(declared.response, generate))
  const bare = Object.freeze({ status, headers: hasNoBody(status) ? headers : Object.freeze({ ...headers, 'content-length': '0' }), body: EMPTY })
  const content = Object.entries(declared.response.content)
  if (content.length === 0 || hasNoBody(status)) return { status, media: [], bare, headers }
  const media: PreparedMedia[] = []
  const reasons: string[] = []
  for (const [mediaType, model] of content) {
    const prepared = prepareMedia(mediaType, model, status, headers, generate)
    if (typeof prepared === 'string') reasons.push(`${mediaType}: ${prepared}`)
    else media.push(prepared)
  }
  return media.length > 0 ? { status, media, bare, headers } : reasons.join('; ')
}

function prepareMedia(mediaType: string, model: MediaTypeModel, status: number, headers: Readonly<Record<string, string>>, generate: boolean): PreparedMedia | string {
  const named = new Map<string, MockAnswer>()
  for (const [name, value] of Object.entries(model.examples ?? {})) {
    const answer = buildAnswer(mediaType, value, status, headers)
    if (typeof answer !== 'string') named.set(name, answer)
  }
  const firstNamed = Object.keys(model.examples ?? {})[0]
  if (model.example !== undefined) return withAnswer(buildAnswer(mediaType, model.example, status, headers), named)
  if (firstNamed !== undefined) return withAnswer(buildAnswer(mediaType, model.examples?.[firstNamed], status, headers), named)
  if (model.schema === undefined) return 'no example and no schema to build one from'
  // Without generation a schema alone gives no body: the answer is the status and headers.
  if (!generate) return { essence: essenceOf(mediaType), answer: Object.freeze({ status, headers: Object.freeze({ ...headers, 'content-length': '0' }), body: EMPTY }), named }
  const value = exampleFromSchema(model.schema)
  if (value === undefined) return 'the schema allows no value'
  return withAnswer(buildAnswer(mediaType, value, status, headers), named)
}

/** Negotiation matches the type actually sent, which for a declared range (`*\/*`) is a concrete one. */
function withAnswer(answer: MockAnswer | string, named: Map<string, MockAnswer>): PreparedMedia | string {
  return typeof answer === 'string' ? answer : { essence: essenceOf(answer.headers['content-type']), answer, named }
}

function buildAnswer(mediaType: string, value: unknown, status: number, headers: Readonly<Record<string, string>>): MockAnswer | string {
  const contentType = contentTypeFor(mediaType, value)
  const serialised = serialiseBody(value, contentType)
  if ('reason' in serialised) return serialised.reason
  const allHeaders = { ...headers, 'content-type': contentType, 'content-length': String(serialised.body.length) }
  return Object.freeze({ status, headers: Object.freeze(allHeaders), body: serialised.body })
}

/** RFC 9110: 1xx, 204 and 304 answers end at the header section. */
function hasNoBody(status: number): boolean {
  return status < 200 || status === 204 || status === 304
}
