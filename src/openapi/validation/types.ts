// The validator's public shapes: what the gateway hands in for a request and what comes back.

export interface RequestParts {
  method: string
  /** Path parameters as the router extracted them (still percent-encoded). */
  pathParams: Readonly<Record<string, string | undefined>>
  /** Raw query string without '?', may be ''. */
  query: string
  /** node:http's parsed headers (lower-case names). */
  headers: Readonly<Record<string, string | string[] | undefined>>
  /** The whole request body when the operation has one and it was read; undefined when there is none. */
  body: Buffer | undefined
}

/** One mismatch: where (`query.limit`, `body.items[2].id` …) and what was expected. */
export interface ValidationIssue {
  location: string
  message: string
}

export interface RequestValidator {
  /** Whether the validator needs the body (the operation declares a request body with a JSON-ish media type to check). */
  readonly needsBody: boolean
  /** Empty array (shared constant, no allocation) when the request is valid. */
  validate(parts: RequestParts): readonly ValidationIssue[]
  /** Content-Type check alone, so a 415 can be given before reading the body. Returns undefined when acceptable, or a message. */
  checkContentType(contentType: string | undefined, hasBody: boolean): string | undefined
}

export interface ResponseValidator {
  validate(status: number, contentType: string | undefined, body: Buffer | undefined): readonly ValidationIssue[]
}

/** Returned for every valid request or response, so the common case allocates nothing. */
export const NO_ISSUES: readonly ValidationIssue[] = Object.freeze([])
