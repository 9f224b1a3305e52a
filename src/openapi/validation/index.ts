// Request and response validation against an API description, compiled once per operation.
export type { RequestParts, RequestValidator, ResponseValidator, ValidationIssue } from './types.ts'
export { NO_ISSUES } from './types.ts'
export { compileRequestValidator } from './request-validator.ts'
export { compileResponseValidator } from './response-validator.ts'
export { createSpecAjv, SchemaCompileError } from './spec-ajv.ts'
export { decodeParameters, type DecodedParameters } from './parameters.ts'
export { MAX_ISSUES } from './issues.ts'
