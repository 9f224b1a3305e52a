// Every benchmark scenario `gatehouse bench` knows, by name. A new scenario is one folder under
// bench/scenarios/ and one line here.
import { openapi } from './openapi/index.ts'
import { passthrough } from './passthrough/index.ts'
import type { Scenario } from './scenario.ts'
import { security } from './security/index.ts'
import { token } from './token/index.ts'

export const SCENARIOS: readonly Scenario[] = [passthrough, token, security, openapi]

export function findScenario(name: string): Scenario | undefined {
  return SCENARIOS.find((scenario) => scenario.name === name)
}
