import { Ajv, type ValidateFunction } from 'ajv'
import type { PolicyDefinition } from '../kit/policy.ts'

// Same ajv behaviour the config loader relies on: defaults filled in, every error reported, and
// strict mode so a schema with a typo'd keyword fails here rather than silently accepting input.
const ajv = new Ajv({ allErrors: true, useDefaults: true, strict: true })
const validators = new WeakMap<object, ValidateFunction>()

/** Problems with raw settings: JSON Schema errors first (as `path: message`), then check() messages. */
export function settingsProblems<S>(definition: PolicyDefinition<S>, raw: unknown): string[] {
  return validate(definition, structuredClone(raw)).problems
}

/** Validates raw settings against a policy's schema and check(), returning them with defaults applied. */
export function loadSettings<S>(definition: PolicyDefinition<S>, raw: unknown): S {
  const { settings, problems } = validate(definition, structuredClone(raw))
  if (problems.length > 0) throw new Error(`${definition.name} settings are invalid: ${problems.join('; ')}`)
  return settings
}

function validate<S>(definition: PolicyDefinition<S>, data: unknown): { settings: S; problems: string[] } {
  let validator = validators.get(definition)
  if (validator === undefined) {
    validator = ajv.compile(definition.schema)
    validators.set(definition, validator)
  }
  if (!validator(data)) {
    const problems = (validator.errors ?? []).map((error) => `${error.instancePath || '(settings)'}: ${error.message ?? 'is invalid'}`)
    return { settings: data as S, problems }
  }
  return { settings: data as S, problems: definition.check?.(data as S) ?? [] }
}
