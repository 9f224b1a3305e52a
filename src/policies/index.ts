import type { PolicyDefinition } from '../kit/policy.ts'
import { apiKeyPolicy } from './api-key/policy.ts'
import { corsPolicy } from './cors/policy.ts'
import { headersPolicy } from './headers/policy.ts'
import { ipRestrictionPolicy } from './ip-restriction/policy.ts'
import { jwtPolicy } from './jwt/policy.ts'
import { openApiMockPolicy } from './openapi-mock/policy.ts'
import { openApiRequestPolicy } from './openapi-request/policy.ts'
import { requestSizePolicy } from './request-size/policy.ts'

const BUILT_IN = [requestSizePolicy, ipRestrictionPolicy, corsPolicy, headersPolicy, jwtPolicy, apiKeyPolicy, openApiRequestPolicy, openApiMockPolicy]

/** Built-in policies by config key. Each lives in its own folder beside this file. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export const POLICIES: Record<string, PolicyDefinition<any>> = Object.fromEntries(BUILT_IN.map((policy) => [policy.name, policy]))
