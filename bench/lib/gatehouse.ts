// Gatehouse as a benchmark target: a generated gatehouse.yaml in a temp dir and
// `gatehouse start --config <file>` in the foreground, pinned to the proxy core.
import { existsSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { stringify } from 'yaml'
import { freePort } from './ports.ts'
import type { ManagedProcess, RunScope } from './run-scope.ts'
import { waitUntilListening } from './wait.ts'

export const GATEHOUSE_BIN = fileURLToPath(new URL('../../bin/gatehouse.js', import.meta.url))

/** Where a bench gateway listens and writes. */
export interface GatewayPlace {
  port: number
  adminPort: number
  /** Its temp dir (the working directory: relative paths in the config land here). */
  dir: string
  accessLogFile: string
}

export interface BaseConfigOptions {
  port: number
  adminPort: number
  /** The `backend` upstream, when the gateway forwards anywhere. */
  upstreamUrl?: string
  /** The access log's file; without it the access log is off. */
  accessLogFile?: string
}

/**
 * What every scenario's gateway has: one worker, one listener, the admin port, metrics on and
 * the access log as asked, and the one upstream. Scenarios add their routes, APIs or key manager.
 */
export function baseGatehouseConfig(options: BaseConfigOptions): Record<string, unknown> {
  const accessLog = options.accessLogFile === undefined ? { enabled: false } : { enabled: true, destination: options.accessLogFile }
  return {
    workers: 1,
    listeners: [{ name: 'bench', protocol: 'http', host: '127.0.0.1', port: options.port }],
    admin: { host: '127.0.0.1', port: options.adminPort },
    observability: { accessLog, logLevel: 'warn', metrics: true },
    ...(options.upstreamUrl === undefined ? {} : { upstreams: { backend: { targets: [options.upstreamUrl] } } }),
  }
}

export interface PassthroughGatehouseOptions {
  port: number
  adminPort: number
  upstreamUrl: string
  accessLogFile: string
}

/**
 * The config the passthrough scenario measures: one `/` prefix route, and the observability a
 * production gateway would have switched on (access log to a file, metrics).
 */
export function passthroughGatehouseConfig(options: PassthroughGatehouseOptions): Record<string, unknown> {
  return {
    ...baseGatehouseConfig(options),
    routes: [{ name: 'everything', paths: ['/'], match: 'prefix', upstream: 'backend' }],
  }
}

/**
 * Writes `config` as gatehouse.yaml (or `configName`) into `dir`, starts the gateway on `cpu` and resolves once
 * `port` accepts connections. Throws when bin/gatehouse.js is missing or the gateway exits early.
 */
export async function startGatehouse(scope: RunScope, options: { dir: string; config: Record<string, unknown>; port: number; cpu?: number; configName?: string }): Promise<ManagedProcess> {
  if (!existsSync(GATEHOUSE_BIN)) throw new Error('bin/gatehouse.js does not exist yet')
  const configFile = join(options.dir, options.configName ?? 'gatehouse.yaml')
  writeFileSync(configFile, stringify(options.config))
  // process.execPath: the same Node that runs the benchmark (the gateway needs Node 24 features).
  const gatehouse = scope.spawn('gatehouse', process.execPath, [GATEHOUSE_BIN, 'start', '--config', configFile], { cpu: options.cpu, cwd: options.dir })
  await waitUntilListening(options.port, { process: gatehouse, timeoutMs: 20_000 })
  return gatehouse
}

export interface BenchGateway extends GatewayPlace {
  /** `http://127.0.0.1:<port>`. */
  origin: string
  process: ManagedProcess
}

/**
 * A gateway in a temp dir named after `dirPrefix`, on two free ports, with the config `config`
 * makes for that place, started on `cpu` (see startGatehouse).
 */
export async function startBenchGateway(scope: RunScope, options: { dirPrefix: string; cpu?: number; config: (place: GatewayPlace) => Record<string, unknown> }): Promise<BenchGateway> {
  const dir = scope.tempDir(options.dirPrefix)
  const place: GatewayPlace = { port: await freePort(), adminPort: await freePort(), dir, accessLogFile: join(dir, 'access.log') }
  const server = await startGatehouse(scope, { dir, config: options.config(place), port: place.port, cpu: options.cpu })
  return { ...place, origin: `http://127.0.0.1:${place.port}`, process: server }
}
