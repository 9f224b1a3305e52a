/** Settings of the cors policy, after defaults are applied. */
export interface CorsSettings {
  allowOrigins: string[]
  allowMethods: string[]
  allowHeaders: string[]
  exposeHeaders: string[]
  allowCredentials: boolean
  maxAgeSeconds: number
}

/** RFC 9110 §5.6.2 token: the syntax of method and header field names. */
const TOKEN_PATTERN = "^[!#$%&'*+.^_`|~0-9A-Za-z-]+$"

const tokenList = (description: string, defaults: string[], item: string) => ({
  type: 'array',
  description,
  default: defaults,
  items: { type: 'string', pattern: TOKEN_PATTERN, description: item },
})

export const corsSchema = {
  type: 'object',
  description: 'Answers CORS preflights and adds CORS response headers for an exact list of origins.',
  additionalProperties: false,
  required: ['allowOrigins'],
  properties: {
    allowOrigins: {
      type: 'array',
      description: 'Origins allowed to call the route, written exactly as browsers send them (`https://app.example`, `http://localhost:3000`), or the single entry `*` for any origin. Required; no default.',
      items: { type: 'string', minLength: 1, maxLength: 2048, description: 'A serialised origin: scheme, host and non-default port, no path.' },
    },
    allowMethods: tokenList('Methods a preflight may ask for (compared exactly, so use upper case). Browsers send GET, HEAD and simple POST requests without asking.', ['GET', 'HEAD', 'POST'], 'An HTTP method.'),
    allowHeaders: tokenList('Request headers a cross-origin request may send beyond the CORS-safelisted ones; `*` allows any except Authorization (not with allowCredentials).', [], 'A header name, or `*`.'),
    exposeHeaders: tokenList('Response headers a browser script may read beyond the CORS-safelisted ones; `*` exposes all (not with allowCredentials).', [], 'A header name, or `*`.'),
    allowCredentials: {
      type: 'boolean',
      default: false,
      description: 'Let browsers send cookies and HTTP authentication cross-origin and read the answer. Cannot be combined with the `*` origin.',
    },
    maxAgeSeconds: {
      type: 'integer',
      minimum: 0,
      maximum: 86400,
      default: 600,
      description: 'How long browsers may cache a preflight answer, in seconds (browsers cap it: Chromium at 7200).',
    },
  },
} as const
