import fs from 'node:fs/promises'
import os from 'node:os'
import path from 'node:path'
import { Gateway, type GatewayOptions } from '../../src/gateway/server/gateway.ts'
import type { TestGateway } from './gateway.ts'

/**
 * Like `startGateway` (same defaults: ephemeral listener and admin ports on 127.0.0.1, access log
 * off), but passes extra `Gateway.start` options through, e.g. a policy registry with test
 * policies added to the built-in ones.
 */
export async function startGatewayWithOptions(yaml: string, options: Omit<GatewayOptions, 'configFile'>): Promise<TestGateway> {
  const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'gatehouse-test-'))
  const configFile = path.join(dir, 'gatehouse.yaml')
  const defaults = [
    /^listeners:/m.test(yaml) ? '' : 'listeners:\n  - { name: public, protocol: http, host: 127.0.0.1, port: 0 }\n',
    /^admin:/m.test(yaml) ? '' : 'admin: { host: 127.0.0.1, port: 0 }\n',
    /^observability:/m.test(yaml) ? '' : 'observability: { accessLog: { enabled: false }, metrics: true }\n',
  ].join('')
  await fs.writeFile(configFile, defaults + yaml)
  const gateway = await Gateway.start({ ...options, configFile })
  const port = gateway.addresses().public.port
  return {
    gateway,
    port,
    url: `http://127.0.0.1:${port}`,
    dir,
    configFile,
    rewrite: (next: string) => fs.writeFile(configFile, defaults + next),
    async stop() {
      await gateway.shutdown(2000)
      await fs.rm(dir, { recursive: true, force: true })
    },
  }
}
