// A check of the values of JSON Schema keywords. The official OpenAPI 3.1 schema does not look
// inside schemas, and no official schema checks that a `pattern` is a regular expression, so a
// `type: strin` or `pattern: '['` would otherwise only fail when a validator compiles it.

const TYPES = new Set(['null', 'boolean', 'object', 'array', 'number', 'integer', 'string'])
const NUMBERS = new Set(['multipleOf', 'maximum', 'minimum'])
const COUNTS = new Set(['maxLength', 'minLength', 'maxItems', 'minItems', 'maxProperties', 'minProperties', 'maxContains', 'minContains'])
const FLAGS = new Set(['uniqueItems', 'readOnly', 'writeOnly', 'deprecated'])

/** What is wrong with `value` as the value of `keyword`, or undefined when nothing is (or the keyword is not checked). */
export function keywordProblem(keyword: string, value: unknown, legacy: boolean): string | undefined {
  if (keyword === 'type') {
    const types = Array.isArray(value) ? value : [value]
    // Swagger 2.0 has `file`; the rewrite turns it into "anything".
    const unknown = types.filter((type) => !(typeof type === 'string' && (TYPES.has(type) || (legacy && type === 'file'))))
    if (unknown.length > 0) return `type ${JSON.stringify(unknown[0])} is not a JSON Schema type; expected one of ${[...TYPES].join(', ')}`
    return undefined
  }
  if (NUMBERS.has(keyword) && typeof value !== 'number') return `${keyword} must be a number, not ${JSON.stringify(value)}`
  if (keyword === 'multipleOf' && typeof value === 'number' && value <= 0) return 'multipleOf must be greater than 0'
  if ((keyword === 'exclusiveMinimum' || keyword === 'exclusiveMaximum') && typeof value !== 'number' && !(legacy && typeof value === 'boolean')) {
    return `${keyword} must be a number${legacy ? ' or true/false' : ''}, not ${JSON.stringify(value)}`
  }
  if (COUNTS.has(keyword) && !(Number.isInteger(value) && (value as number) >= 0)) return `${keyword} must be a whole number of 0 or more, not ${JSON.stringify(value)}`
  if (FLAGS.has(keyword) && typeof value !== 'boolean') return `${keyword} must be true or false, not ${JSON.stringify(value)}`
  if (keyword === 'required' && !(Array.isArray(value) && value.every((name) => typeof name === 'string'))) return 'required must be a list of property names'
  if (keyword === 'enum' && !Array.isArray(value)) return 'enum must be a list of the allowed values'
  if (keyword === 'pattern') {
    if (typeof value !== 'string') return `pattern must be a string, not ${JSON.stringify(value)}`
    try {
      // Validators compile patterns as Unicode regular expressions.
      new RegExp(value, 'u')
    } catch (error) {
      return `pattern ${JSON.stringify(value)} is not a valid regular expression: ${(error as Error).message}`
    }
  }
  return undefined
}
