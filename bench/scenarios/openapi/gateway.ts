// The gateway of the openapi scenario: one process pinned to the proxy core, serving the same
// document (bench-api.yaml) twice, as two APIs in front of the same upstream: one with request
// validation off, one with it on. Both strip their prefix, so both forward `/v1/data` alike.
import { fileURLToPath } from 'node:url'
import type { BenchUpstream } from '../../lib/bench-upstream.ts'
import { baseGatehouseConfig, startBenchGateway, type BenchGateway } from '../../lib/gatehouse.ts'
import type { RunScope } from '../../lib/run-scope.ts'

export const BENCH_SPEC = fileURLToPath(new URL('./bench-api.yaml', import.meta.url))

/** The document's one path, which is the upstream's (bench/upstream.ts): the gateway forwards it unchanged. */
export const API_PATH = '/v1/data'

/** Prefix of each API; the document's path follows it. */
export const PREFIXES = { off: '/off', on: '/on' } as const

export interface OpenApiConfigOptions {
  port: number
  adminPort: number
  upstreamUrl: string
  accessLogFile: string
  /** The OpenAPI document both APIs are declared by. */
  spec: string
}

/**
 * The config: the base (one worker, access log to a file, metrics on, one upstream), with two
 * APIs instead of routes. With validation off (and responses unchecked) the API's routes carry no
 * openapi-request policy at all, so `off` is the baseline a plain route would be.
 */
export function openApiGatehouseConfig(options: OpenApiConfigOptions): Record<string, unknown> {
  const api = (name: string, basePath: string, requests: boolean) => ({ name, spec: options.spec, upstream: 'backend', basePath, stripBasePath: true, validation: { requests } })
  return {
    ...baseGatehouseConfig(options),
    apis: [
      api('bench-off', PREFIXES.off, false),
      api('bench-on', PREFIXES.on, true),
    ],
  }
}

export function startOpenApiGateway(scope: RunScope, upstream: BenchUpstream, cpu: number | undefined): Promise<BenchGateway> {
  return startBenchGateway(scope, { dirPrefix: 'gatehouse-bench-openapi', cpu, config: (place) => openApiGatehouseConfig({ ...place, upstreamUrl: upstream.origin, spec: BENCH_SPEC }) })
}
