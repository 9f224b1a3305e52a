// Loads Swagger 2.0 and OpenAPI 3.0 / 3.1 documents into the version-neutral model (../model.ts).
export { loadApiSpec, type LoadApiSpecOptions } from './load.ts'
export { SpecError, formatSpecIssue } from './spec-error.ts'
