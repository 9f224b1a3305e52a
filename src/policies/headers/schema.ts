/** Changes made to one side (request or response) of a proxied exchange. */
export interface HeaderOperations {
  add: Record<string, string>
  set: Record<string, string>
  remove: string[]
  rename: Record<string, string>
}

/** Settings of the headers policy, after defaults are applied. */
export interface HeadersSettings {
  request: HeaderOperations
  response: HeaderOperations
}

/** RFC 9110 §5.6.2 token: the syntax of a header field name. */
export const TOKEN_PATTERN = "^[!#$%&'*+.^_`|~0-9A-Za-z-]+$"
/**
 * RFC 9110 §5.5 field value characters: visible ASCII, space, tab and obs-text. No CR, LF or NUL
 * (header injection), and nothing node:http would refuse to write.
 */
export const FIELD_VALUE_PATTERN = '^[\\t\\x20-\\x7E\\x80-\\xFF]*$'

const headerName = { type: 'string', pattern: TOKEN_PATTERN }

function operations(side: 'request' | 'response') {
  const target = side === 'request' ? 'the request sent upstream' : 'the response sent to the client'
  return {
    type: 'object',
    description: `Changes to ${target}. Applied in the order remove, rename, set, add.`,
    additionalProperties: false,
    default: {},
    properties: {
      add: {
        type: 'object',
        description: `Fields appended to ${target}, keeping fields of the same name that are already there.`,
        default: {},
        propertyNames: headerName,
        additionalProperties: { type: 'string', pattern: FIELD_VALUE_PATTERN },
      },
      set: {
        type: 'object',
        description: `Fields of ${target} replaced by exactly one field with this value (added if absent).`,
        default: {},
        propertyNames: headerName,
        additionalProperties: { type: 'string', pattern: FIELD_VALUE_PATTERN },
      },
      remove: {
        type: 'array',
        description: `Names of fields removed from ${target} (case-insensitive).`,
        default: [],
        items: headerName,
      },
      rename: {
        type: 'object',
        description: `Fields of ${target} renamed from the key to the value, keeping their values.`,
        default: {},
        propertyNames: headerName,
        additionalProperties: headerName,
      },
    },
  }
}

export const headersSchema = {
  type: 'object',
  description: 'Adds, sets, removes and renames request and response header fields.',
  additionalProperties: false,
  properties: {
    request: operations('request'),
    response: operations('response'),
  },
}
