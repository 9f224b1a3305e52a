// Internal policy: set up for mocked operations of an API declared under `apis`
// (src/config/apis/), never written in a config file.
export type { OpenApiMockSettings } from '../../config/apis/expand.ts'

export const openApiMockSchema = {
  type: 'object',
  description: 'Answers an operation from its examples in the API\'s document. Set up from `apis` (`mock: true`).',
} as const
