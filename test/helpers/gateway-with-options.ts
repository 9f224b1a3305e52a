import type { GatewayOptions } from '../../src/gateway/server/gateway.ts'
import { startGateway, type TestGateway } from './gateway.ts'

/** `startGateway` with extra `Gateway.start` options, e.g. a policy registry with test policies. */
export function startGatewayWithOptions(yaml: string, options: Omit<GatewayOptions, 'configFile'>): Promise<TestGateway> {
  return startGateway(yaml, options)
}
