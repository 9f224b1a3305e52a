// The version-neutral form of an API description. Swagger 2.0, OpenAPI 3.0 and 3.1 documents are
// all loaded into this shape (load/), so the validator (validation/), the mock responder (mock/)
// and the route expansion never look at which version the document was written in.

/**
 * A JSON Schema in the draft 2020-12 dialect, self-contained: no `$ref` outside itself. Schemas
 * of 2.0 and 3.0 documents are rewritten into it at load (`nullable` → a `null` type, boolean
 * `exclusiveMinimum` → numeric, `x-nullable`, `type: file` …); a recursive schema keeps its
 * recursion as `$ref: '#/$defs/…'` into its own `$defs`.
 */
export type JsonSchema = Record<string, unknown> | boolean

export type ParameterLocation = 'path' | 'query' | 'header' | 'cookie'

/** OpenAPI 3 serialisation styles; Swagger 2.0 `collectionFormat`s map onto them. */
export type ParameterStyle = 'simple' | 'label' | 'matrix' | 'form' | 'spaceDelimited' | 'pipeDelimited' | 'deepObject'

export interface ParameterModel {
  name: string
  in: ParameterLocation
  required: boolean
  style: ParameterStyle
  explode: boolean
  allowReserved: boolean
  allowEmptyValue: boolean
  /** Value schema. For a parameter described by `content`, the schema of that media type. */
  schema: JsonSchema
  /** Set when the parameter is described by `content` (e.g. a JSON-encoded query value). */
  contentType?: string
  /** Where the parameter is declared in its document, e.g. `#/paths/~1v1~1data/get/parameters/0`. */
  pointer: string
}

export interface MediaTypeModel {
  schema?: JsonSchema
  /** The media type's `example`, or undefined. */
  example?: unknown
  /** Named examples: their `value`s (external `externalValue`s are not fetched). */
  examples?: Record<string, unknown>
}

export interface RequestBodyModel {
  required: boolean
  /** By media-type range as written in the document: `application/json`, `application/*+json`, `*\/*` … */
  content: Record<string, MediaTypeModel>
  pointer: string
}

export interface ResponseModel {
  /** `200`, `2XX` or `default`, as written. */
  status: string
  description: string
  headers: Record<string, { required: boolean; schema: JsonSchema }>
  content: Record<string, MediaTypeModel>
}

/** One alternative of a security requirement: scheme name → scopes. All schemes of one alternative apply together. */
export type SecurityRequirement = Record<string, string[]>

export interface SecuritySchemeModel {
  type: 'apiKey' | 'http' | 'oauth2' | 'openIdConnect' | 'mutualTLS'
  /** apiKey: parameter name and where it is sent. */
  name?: string
  in?: 'header' | 'query' | 'cookie'
  /** http: `bearer`, `basic` … (lower case). */
  scheme?: string
  bearerFormat?: string
  openIdConnectUrl?: string
  /** oauth2: every scope any flow declares, with its description. */
  scopes?: Record<string, string>
  pointer: string
}

export interface OperationModel {
  /** Upper-case HTTP method. */
  method: string
  /** Path template as written under `paths`, e.g. `/v1/data/{id}` (without the base path). */
  pathTemplate: string
  operationId?: string
  summary?: string
  deprecated: boolean
  /** Path-level and operation-level parameters merged (the operation's win), `$ref`s resolved. */
  parameters: ParameterModel[]
  requestBody?: RequestBodyModel
  /** In document order. */
  responses: ResponseModel[]
  /**
   * The security that applies: the operation's own when it has one, otherwise the document's.
   * An empty list means no security. An empty alternative (`{}`) means anonymous access is allowed.
   */
  security: SecurityRequirement[]
  pointer: string
}

export interface ApiSpec {
  /** Absolute path of the entry document. */
  file: string
  /** The document's format version. */
  version: '2.0' | '3.0' | '3.1'
  title: string
  apiVersion: string
  /**
   * Path prefix every operation is served under: Swagger 2.0 `basePath`, or the path of the first
   * `servers` URL ('' for `/` or none). Never ends with `/`.
   */
  basePath: string
  securitySchemes: Record<string, SecuritySchemeModel>
  operations: OperationModel[]
}

/** A problem in a document: file, JSON pointer and, where known, line and column (1-based). */
export interface SpecIssue {
  code: 'GH_ERR_CONFIG_SPEC' | 'GH_ERR_CONFIG_SPEC_DUPLICATE_OPERATION_ID'
  file: string
  pointer: string
  line?: number
  column?: number
  message: string
}
