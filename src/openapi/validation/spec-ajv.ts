// The ajv instance that API schemas are compiled with: draft 2020-12, every mismatch reported,
// the JSON Schema formats plus OpenAPI's own format names, and the keyword that rejects
// read-only / write-only properties (see access-modes.ts).
import { Ajv2020, type ValidateFunction } from 'ajv/dist/2020.js'
import formatsModule from 'ajv-formats'
import type { JsonSchema } from '../model.ts'

/** Keyword put in place of a property that must not appear; its value is the error message. */
export const FORBIDDEN_KEYWORD = 'gatehouseForbidden'

const MIN_INT32 = -(2 ** 31)
const MAX_INT32 = 2 ** 31 - 1
const MIN_INT64 = -(2 ** 63)
const LIMIT_INT64 = 2 ** 63 // exclusive: 2^63 - 1 is not representable as a double
// Standard base64 (RFC 4648 §4), padded. Without the `m` flag, so one bad line cannot hide among good ones.
const BASE64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/

// ajv reads a validate-keyword's errors from the function's `errors` property right after the call.
interface ForbiddenCheck {
  (message: string): boolean
  errors: Array<{ keyword: string; message: string; params: Record<string, never> }>
}
const forbidden = ((message: string): boolean => {
  forbidden.errors = [{ keyword: FORBIDDEN_KEYWORD, message, params: {} }]
  return false
}) as ForbiddenCheck

/**
 * One configured instance. Strict mode is off because OpenAPI schemas legitimately carry keywords
 * ajv does not know (`example`, `xml`, `discriminator`, `x-…`) and formats nobody registered;
 * unknown formats are ignored silently (`logger: false`) rather than printed at every load.
 * Type coercion is off: parameter strings are coerced by coerce.ts, from the schema's type.
 */
export function createSpecAjv(): Ajv2020 {
  const ajv = new Ajv2020({ allErrors: true, strict: false, coerceTypes: false, logger: false })
  // ajv-formats is CommonJS: under Node's ESM loader the default import is module.exports, whose
  // `default` property is the plugin too — the form the type declarations describe.
  formatsModule.default(ajv)
  ajv.addFormat('int32', { type: 'number', validate: (n: number) => Number.isInteger(n) && n >= MIN_INT32 && n <= MAX_INT32 })
  ajv.addFormat('int64', { type: 'number', validate: (n: number) => Number.isInteger(n) && n >= MIN_INT64 && n < LIMIT_INT64 })
  ajv.addFormat('float', { type: 'number', validate: () => true })
  ajv.addFormat('double', { type: 'number', validate: () => true })
  ajv.addFormat('byte', { type: 'string', validate: (s: string) => BASE64.test(s) })
  ajv.addFormat('binary', true)
  ajv.addFormat('password', true)
  ajv.addKeyword({ keyword: FORBIDDEN_KEYWORD, schemaType: 'string', validate: forbidden })
  return ajv
}

/** A schema that cannot be compiled (bad `pattern`, dangling `$ref` …), with where it is declared. */
export class SchemaCompileError extends Error {
  readonly code = 'GH_ERR_CONFIG_SPEC'
  readonly pointer: string
  constructor(pointer: string, cause: unknown) {
    super(`schema at ${pointer} cannot be compiled: ${cause instanceof Error ? cause.message : String(cause)}`, { cause })
    this.name = 'SchemaCompileError'
    this.pointer = pointer
  }
}

/** ajv compiles (and caches by object identity) or a SchemaCompileError naming the schema's place. */
export function compileSchema(ajv: Ajv2020, schema: JsonSchema, pointer: string): ValidateFunction {
  try {
    return ajv.compile(schema)
  } catch (error) {
    throw new SchemaCompileError(pointer, error)
  }
}
