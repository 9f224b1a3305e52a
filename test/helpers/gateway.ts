import fs from 'node:fs/promises'
import os from 'node:os'
import path from 'node:path'
import { Gateway, type GatewayOptions } from '../../src/gateway/server/gateway.ts'

export interface TestGateway {
  gateway: Gateway
  port: number
  url: string
  dir: string
  configFile: string
  /** Replaces the config file (for reload tests). */
  rewrite(yaml: string): Promise<void>
  stop(): Promise<void>
}

/**
 * Starts a Gateway in this process from YAML text. `listeners` and `admin` default to ephemeral
 * ports on 127.0.0.1 and the access log is off unless the YAML sets `observability`. `options`
 * pass through to `Gateway.start` (e.g. a policy registry with test policies added).
 */
export async function startGateway(yaml: string, options: Omit<GatewayOptions, 'configFile'> = {}): Promise<TestGateway> {
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
