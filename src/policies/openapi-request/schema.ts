// Internal policy: set up for each operation of an API declared under `apis` (src/config/apis/),
// never written in a config file. Its settings carry the operation model of the document.
export type { OpenApiRequestSettings } from '../../config/apis/expand.ts'

export const openApiRequestSchema = {
  type: 'object',
  description: 'Checks requests (and optionally responses) against the operation of an API\'s document. Set up from `apis`.',
} as const
