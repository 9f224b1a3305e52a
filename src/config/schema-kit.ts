// Small builders for the config JSON Schema, so each field reads as one line: type, bounds,
// default and the description that also ends up in docs/configuration.md.

export interface SchemaNode {
  type?: string | string[]
  description?: string
  default?: unknown
  properties?: Record<string, SchemaNode>
  additionalProperties?: boolean | SchemaNode
  required?: string[]
  items?: SchemaNode
  enum?: readonly (string | number | boolean)[]
  minimum?: number
  maximum?: number
  minLength?: number
  maxLength?: number
  minItems?: number
  uniqueItems?: boolean
  pattern?: string
  /** Annotation keyword (registered with ajv): what the loader says when `pattern` fails. */
  patternMessage?: string
}

/** setTimeout's largest delay; longer durations would fire at once. */
export const MAX_MS = 2_147_483_647
export const MiB = 1024 * 1024

/** Route, listener and upstream names: also used as metric labels and in log lines. */
export const NAME_PATTERN = '^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$'
export const NAME_MESSAGE = 'must be 1-64 letters, digits, ".", "_" or "-", starting with a letter or digit'

export function object(description: string, properties: Record<string, SchemaNode>, extra: Partial<SchemaNode> = {}): SchemaNode {
  return { type: 'object', description, additionalProperties: false, properties, ...extra }
}

/** An object that may be left out: it defaults to `{}`, so its fields' own defaults apply. */
export function section(description: string, properties: Record<string, SchemaNode>): SchemaNode {
  return object(description, properties, { default: {} })
}

export function integer(description: string, minimum: number, maximum: number, defaultValue?: number): SchemaNode {
  return { type: 'integer', description, minimum, maximum, ...(defaultValue === undefined ? {} : { default: defaultValue }) }
}

export function duration(description: string, defaultValue: number, minimum = 1): SchemaNode {
  return integer(`${description} Milliseconds.`, minimum, MAX_MS, defaultValue)
}

export function boolean(description: string, defaultValue: boolean): SchemaNode {
  return { type: 'boolean', description, default: defaultValue }
}

export function string(description: string, extra: Partial<SchemaNode> = {}): SchemaNode {
  return { type: 'string', description, minLength: 1, ...extra }
}

export function oneOf(description: string, values: readonly string[], defaultValue?: string): SchemaNode {
  return { type: 'string', description, enum: values, ...(defaultValue === undefined ? {} : { default: defaultValue }) }
}

export function name(description: string): SchemaNode {
  return string(description, { pattern: NAME_PATTERN, patternMessage: NAME_MESSAGE })
}

/** A map from a user-chosen name to a value of one schema (upstreams, policies). */
export function mapOf(description: string, value: SchemaNode): SchemaNode {
  return { type: 'object', description, default: {}, additionalProperties: value }
}
