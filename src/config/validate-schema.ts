// ajv validation of the config file and of policy settings, with ajv's errors turned into issues
// that name the path in the file. Validators are compiled once: the config schema at module load,
// each policy schema the first time a config uses that policy.
import { Ajv, type ErrorObject, type ValidateFunction } from 'ajv'
import type { DraftIssue, PathSegment } from './issues.ts'
import { CONFIG_SCHEMA, type SchemaNode } from './schema.ts'
import { didYouMean } from './suggest.ts'

// verbose: errors carry their parent schema, which holds `patternMessage` and the allowed keys.
// The `data` it adds to errors is never put in a message (it may be a secret).
const ajv = new Ajv({ allErrors: true, useDefaults: true, strict: true, allowUnionTypes: true, verbose: true })
ajv.addKeyword({ keyword: 'patternMessage', schemaType: 'string' })

const validateConfigSchema = ajv.compile(CONFIG_SCHEMA)
const policyValidators = new WeakMap<object, ValidateFunction>()

/** Validates (and fills defaults into) the parsed file in place. */
export function validateConfigData(data: unknown): DraftIssue[] {
  return validateConfigSchema(data) ? [] : toIssues(validateConfigSchema.errors ?? [], data, [])
}

/** Every section's defaults, as a file that leaves them all out would get them. */
export function configDefaults(): Record<string, unknown> {
  const data: Record<string, unknown> = {}
  validateConfigSchema(data) // fails for want of listeners; only the filled-in defaults matter here
  return data
}

/** Validates (and fills defaults into) one policy's settings in place; `base` is where they sit in the file. */
export function validatePolicySchema(schema: Record<string, unknown>, settings: unknown, base: readonly PathSegment[]): DraftIssue[] {
  let validate = policyValidators.get(schema)
  if (validate === undefined) {
    validate = ajv.compile(schema)
    policyValidators.set(schema, validate)
  }
  return validate(settings) ? [] : toIssues(validate.errors ?? [], settings, base)
}

function toIssues(errors: readonly ErrorObject[], data: unknown, base: readonly PathSegment[]): DraftIssue[] {
  const issues: DraftIssue[] = []
  for (const error of errors) {
    // if/then/else and anyOf/oneOf report a summary error besides the specific ones.
    if (error.keyword === 'if' || error.keyword === 'anyOf' || error.keyword === 'oneOf') continue
    const path = [...base, ...pointerToPath(error.instancePath, data)]
    issues.push(toIssue(error, path))
  }
  return issues
}

function toIssue(error: ErrorObject, path: PathSegment[]): DraftIssue {
  const params = error.params as Record<string, unknown>
  const parent = error.parentSchema as SchemaNode | undefined
  switch (error.keyword) {
    case 'additionalProperties': {
      const field = String(params.additionalProperty)
      const known = Object.keys(parent?.properties ?? {})
      return { code: 'GH_ERR_CONFIG_UNKNOWN_FIELD', path: [...path, field], at: 'key', message: `unknown field "${field}"${didYouMean(field, known)}` }
    }
    case 'required':
      return { code: 'GH_ERR_CONFIG_INVALID', path: [...path, String(params.missingProperty)], message: 'is required' }
    case 'type':
      return { code: 'GH_ERR_CONFIG_INVALID', path, message: `must be ${[params.type].flat().map(article).join(' or ')}` }
    case 'enum':
      return { code: 'GH_ERR_CONFIG_INVALID', path, message: `must be one of: ${(params.allowedValues as unknown[]).join(', ')}` }
    case 'minLength':
      return { code: 'GH_ERR_CONFIG_INVALID', path, message: params.limit === 1 ? 'must not be empty' : `must be at least ${String(params.limit)} characters long` }
    case 'minItems':
      return { code: 'GH_ERR_CONFIG_INVALID', path, message: params.limit === 1 ? 'must not be empty' : `must have at least ${String(params.limit)} entries` }
    case 'pattern':
      return { code: 'GH_ERR_CONFIG_INVALID', path, message: parent?.patternMessage ?? error.message ?? 'is not valid' }
    default:
      return { code: 'GH_ERR_CONFIG_INVALID', path, message: error.message ?? 'is not valid' }
  }
}

function article(type: unknown): string {
  const name = String(type)
  if (name === 'null') return name
  return /^[aeiou]/.test(name) ? `an ${name}` : `a ${name}`
}

/** ajv's JSON pointer → path segments; a segment is a number only where the data is an array. */
function pointerToPath(pointer: string, data: unknown): PathSegment[] {
  if (pointer === '') return []
  const path: PathSegment[] = []
  let node = data
  for (const raw of pointer.slice(1).split('/')) {
    const key = raw.replaceAll('~1', '/').replaceAll('~0', '~')
    const segment = Array.isArray(node) ? Number(key) : key
    path.push(segment)
    node = node !== null && typeof node === 'object' ? (node as Record<string, unknown>)[key] : undefined
  }
  return path
}
