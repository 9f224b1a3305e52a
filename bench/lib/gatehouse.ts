// Gatehouse as a benchmark target: a generated gatehouse.yaml in a temp dir and
// `gatehouse start --config <file>` in the foreground, pinned to the proxy core.
import { existsSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { stringify } from 'yaml'
import type { ManagedProcess, RunScope } from './run-scope.ts'
import { waitUntilListening } from './wait.ts'

export const GATEHOUSE_BIN = fileURLToPath(new URL('../../bin/gatehouse.js', import.meta.url))

export interface PassthroughGatehouseOptions {
  port: number
  adminPort: number
  upstreamUrl: string
  accessLogFile: string
}

/**
 * The config the passthrough scenario measures: one worker, one listener, one upstream, one `/`
 * prefix route, and the observability a production gateway would have switched on (access log
 * to a file, metrics).
 */
export function passthroughGatehouseConfig(options: PassthroughGatehouseOptions): Record<string, unknown> {
  return {
    workers: 1,
    listeners: [{ name: 'bench', protocol: 'http', host: '127.0.0.1', port: options.port }],
    admin: { host: '127.0.0.1', port: options.adminPort },
    observability: { accessLog: { enabled: true, destination: options.accessLogFile }, logLevel: 'warn', metrics: true },
    upstreams: { backend: { targets: [options.upstreamUrl] } },
    routes: [{ name: 'everything', paths: ['/'], match: 'prefix', upstream: 'backend' }],
  }
}

/**
 * Writes `config` as gatehouse.yaml into `dir`, starts the gateway on `cpu` and resolves once
 * `port` accepts connections. Throws when bin/gatehouse.js is missing or the gateway exits early.
 */
export async function startGatehouse(scope: RunScope, options: { dir: string; config: Record<string, unknown>; port: number; cpu?: number }): Promise<ManagedProcess> {
  if (!existsSync(GATEHOUSE_BIN)) throw new Error('bin/gatehouse.js does not exist yet')
  const configFile = join(options.dir, 'gatehouse.yaml')
  writeFileSync(configFile, stringify(options.config))
  // process.execPath: the same Node that runs the benchmark (the gateway needs Node 24 features).
  const gatehouse = scope.spawn('gatehouse', process.execPath, [GATEHOUSE_BIN, 'start', '--config', configFile], { cpu: options.cpu, cwd: options.dir })
  await waitUntilListening(options.port, { process: gatehouse, timeoutMs: 20_000 })
  return gatehouse
}
