/** Settings of the request-size policy, after defaults are applied. */
export interface RequestSizeSettings {
  maxBytes: number
}

export const DEFAULT_MAX_BYTES = 1024 * 1024

export const requestSizeSchema = {
  type: 'object',
  description: 'Limits the size of request bodies on a route.',
  additionalProperties: false,
  properties: {
    maxBytes: {
      type: 'integer',
      minimum: 0,
      maximum: Number.MAX_SAFE_INTEGER,
      default: DEFAULT_MAX_BYTES,
      description: 'Largest request body accepted, in bytes (0: no body at all). Larger bodies are answered with 413.',
    },
  },
} as const
