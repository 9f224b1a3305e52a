// The gateway of the openapi scenario: one process pinned to the proxy core, serving the same
// document (bench-api.yaml) twice, as two APIs in front of the same upstream: one with request
// validation off, one with it on. Both strip their prefix, so both forward `/v1/data` alike.
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import type { BenchUpstream } from '../../lib/bench-upstream.ts'
import { startGatehouse } from '../../lib/gatehouse.ts'
import { freePort } from '../../lib/ports.ts'
import type { ManagedProcess, RunScope } from '../../lib/run-scope.ts'

export const BENCH_SPEC = fileURLToPath(new URL('./bench-api.yaml', import.meta.url))

/** The document's one path, which is the upstream's (bench/upstream.ts): the gateway forwards it unchanged. */
export const API_PATH = '/v1/data'

/** Prefix of each API; the document's path follows it. */
export const PREFIXES = { off: '/off', on: '/on' } as const

export interface OpenApiGateway {
  origin: string
  process: ManagedProcess
}

export interface OpenApiConfigOptions {
  port: number
  adminPort: number
  upstreamUrl: string
  accessLogFile: string
  /** The OpenAPI document both APIs are declared by. */
  spec: string
}

/**
 * The config: the passthrough scenario's (one worker, access log to a file, metrics on), with two
 * APIs instead of routes. With validation off (and responses unchecked) the API's routes carry no
 * openapi-request policy at all, so `off` is the baseline a plain route would be.
 */
export function openApiGatehouseConfig(options: OpenApiConfigOptions): Record<string, unknown> {
  const api = (name: string, basePath: string, requests: boolean) => ({ name, spec: options.spec, upstream: 'backend', basePath, stripBasePath: true, validation: { requests } })
  return {
    workers: 1,
    listeners: [{ name: 'bench', protocol: 'http', host: '127.0.0.1', port: options.port }],
    admin: { host: '127.0.0.1', port: options.adminPort },
    observability: { accessLog: { enabled: true, destination: options.accessLogFile }, logLevel: 'warn', metrics: true },
    upstreams: { backend: { targets: [options.upstreamUrl] } },
    apis: [
      api('bench-off', PREFIXES.off, false),
      api('bench-on', PREFIXES.on, true),
    ],
  }
}

export async function startOpenApiGateway(scope: RunScope, upstream: BenchUpstream, cpu: number | undefined): Promise<OpenApiGateway> {
  const dir = scope.tempDir('gatehouse-bench-openapi')
  const [port, adminPort] = [await freePort(), await freePort()]
  const config = openApiGatehouseConfig({ port, adminPort, upstreamUrl: upstream.origin, accessLogFile: join(dir, 'access.log'), spec: BENCH_SPEC })
  const server = await startGatehouse(scope, { dir, config, port, cpu })
  return { origin: `http://127.0.0.1:${port}`, process: server }
}
