// The official OpenAPI schemas describe alternatives (`oneOf` a Reference or a Parameter …), so one
// mistake yields several raw findings. These are reduced to the ones that say what is wrong, in
// plain words.

export interface AjvError {
  instancePath: string
  schemaPath: string
  keyword: string
  params: Record<string, unknown>
  message?: string
}

export interface Finding {
  /** Pointer into the dereferenced document, without `#`. */
  instancePath: string
  /** A member of that object the finding is about (an unknown field). */
  member?: string
  /** The message, given the offending value as found in the source. */
  describe: (value: unknown) => string
}

const TYPE_NAMES: Record<string, string> = { object: 'a mapping', array: 'a list', string: 'a string', number: 'a number', integer: 'an integer', boolean: 'true or false', null: 'null' }

const COMBINATORS = new Set(['oneOf', 'anyOf', 'if', 'not', 'then', 'else', '$ref'])

export function ajvIssues(all: readonly AjvError[]): Finding[] {
  const errors = closestAlternatives(all)
  const specific = errors.filter((error) => !COMBINATORS.has(error.keyword) && !isReferenceAlternative(error))
  const within = (error: AjvError, others: readonly AjvError[], strictly: boolean): boolean =>
    others.some((other) => other !== error && (strictly ? isStrictlyUnder(other.instancePath, error.instancePath) : isUnder(other.instancePath, error.instancePath)))
  const kept = errors.filter((error) => {
    // "Matches none of the alternatives" and "is not a $ref" say nothing when a precise finding exists.
    if (COMBINATORS.has(error.keyword) || isReferenceAlternative(error)) return !within(error, specific, false)
    // A field one alternative requires is noise when the value that picks the alternative is itself wrong.
    if (error.keyword === 'required' && isInAlternative(error)) return !within(error, specific.filter(isInAlternative), true)
    return true
  })
  return mergeFindings(kept.length > 0 ? kept : [...errors])
}

/**
 * Where a value matches none of several alternatives (a security scheme that is neither apiKey,
 * http, oauth2 nor openIdConnect …), every alternative reports its own mismatches. Only those of
 * the alternative that came closest (fewest findings) are kept: that is the one the author meant.
 */
function closestAlternatives(errors: readonly AjvError[]): AjvError[] {
  const dropped = new Set<AjvError>()
  const places = new Set(errors.filter((error) => error.keyword === 'oneOf' || error.keyword === 'anyOf').map((error) => error.instancePath))
  for (const place of places) {
    const groups = new Map<string, AjvError[]>()
    for (const error of errors) {
      if (COMBINATORS.has(error.keyword) || isReferenceAlternative(error) || !isUnder(error.instancePath, place)) continue
      const group = alternativeOf(error.schemaPath)
      groups.set(group, [...(groups.get(group) ?? []), error])
    }
    if (groups.size < 2) continue
    const fewest = Math.min(...[...groups.values()].map((group) => group.length))
    for (const group of groups.values()) if (group.length > fewest) for (const error of group) dropped.add(error)
  }
  return errors.filter((error) => !dropped.has(error))
}

/** Which alternative a finding comes from: the named definition it was found in, or the `oneOf` branch. */
function alternativeOf(schemaPath: string): string {
  const definition = /^#\/(definitions|\$defs)\/[^/]+/.exec(schemaPath)
  if (definition !== null) return definition[0]
  const branch = /^.*?\/(oneOf|anyOf)\/\d+/.exec(schemaPath)
  return branch === null ? '#' : branch[0]
}

function mergeFindings(errors: readonly AjvError[]): Finding[] {
  const findings = new Map<string, Finding>()
  const allowedValues = new Map<string, unknown[]>()
  for (const error of errors) {
    const member = error.keyword === 'additionalProperties' ? String(error.params.additionalProperty) : undefined
    if (error.keyword === 'enum') {
      // Each alternative lists its own allowed values; together they are the answer.
      const key = `enum ${error.instancePath}`
      const values = allowedValues.get(key) ?? []
      for (const value of (error.params.allowedValues as unknown[] | undefined) ?? []) if (!values.includes(value)) values.push(value)
      allowedValues.set(key, values)
      if (!findings.has(key)) findings.set(key, { instancePath: error.instancePath, describe: (value) => `must be one of ${values.map((allowed) => JSON.stringify(allowed)).join(', ')}, not ${show(value)}` })
      continue
    }
    const key = `${error.instancePath} ${error.keyword} ${member ?? ''} ${error.message ?? ''}`
    if (!findings.has(key)) findings.set(key, { instancePath: error.instancePath, member, describe: (value) => describe(error, value) })
  }
  return [...findings.values()]
}

function describe(error: AjvError, value: unknown): string {
  const params = error.params
  switch (error.keyword) {
    case 'required':
      return `"${String(params.missingProperty)}" is required but missing`
    case 'additionalProperties':
      return `"${String(params.additionalProperty)}" is not allowed here`
    case 'type':
      return `must be ${[params.type].flat().map((type) => TYPE_NAMES[String(type)] ?? String(type)).join(' or ')}, not ${show(value)}`
    case 'const':
      return `must be ${JSON.stringify(params.allowedValue)}, not ${show(value)}`
    case 'minProperties':
      return params.limit === 1 ? 'must not be empty' : `must have at least ${String(params.limit)} entries`
    case 'minItems':
      return params.limit === 1 ? 'must not be an empty list' : `must have at least ${String(params.limit)} items`
    case 'pattern':
      return `${show(value)} does not match the pattern ${String(params.pattern)}`
    case 'format':
      return `${show(value)} is not a valid ${String(params.format)}`
    case 'uniqueItems':
      return 'must not contain the same item twice'
    case 'oneOf':
    case 'anyOf':
      return 'matches none of the forms allowed here'
    default:
      return error.message ?? `fails the "${error.keyword}" rule`
  }
}

function show(value: unknown): string {
  if (value === undefined) return 'nothing'
  if (value === null) return 'null'
  if (Array.isArray(value)) return 'a list'
  if (typeof value === 'object') return 'a mapping'
  if (typeof value === 'string') return JSON.stringify(value.length > 60 ? `${value.slice(0, 57)}...` : value)
  return `${typeof value} ${String(value)}`
}

/** The "could have been a `$ref` instead" alternative of the 2.0 / 3.0 schemas. */
function isReferenceAlternative(error: AjvError): boolean {
  return /\/(Reference|JsonReference|reference)\b/.test(error.schemaPath) || (error.keyword === 'required' && error.params.missingProperty === '$ref')
}

function isInAlternative(error: AjvError): boolean {
  return /\/(oneOf|anyOf)\/\d+\//.test(error.schemaPath)
}

function isUnder(path: string, parent: string): boolean {
  return path === parent || path.startsWith(parent + '/')
}

function isStrictlyUnder(path: string, parent: string): boolean {
  return path.startsWith(parent + '/')
}
