import type { PolicyDefinition } from '../kit/policy.ts'

/** Built-in policies by config key. Each lives in its own folder beside this file. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export const POLICIES: Record<string, PolicyDefinition<any>> = {}
