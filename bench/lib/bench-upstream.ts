// The upstream every proxy in a scenario forwards to. nginx `return 200` when it is installed,
// because it needs the least CPU per request and so takes the least from the core it shares with
// wrk; the node:http upstream otherwise.
import { UPSTREAM_BODY, UPSTREAM_PATH } from '../upstream.ts'
import { BenchError } from './errors.ts'
import { findNginx, nginxUpstreamConfig, startNginx } from './nginx.ts'
import { startNodeUpstream } from './node-servers.ts'
import { freePort } from './ports.ts'
import type { RunScope } from './run-scope.ts'

export type UpstreamChoice = 'auto' | 'nginx' | 'node'

export interface BenchUpstream {
  kind: 'nginx' | 'node'
  /** Origin, e.g. `http://127.0.0.1:40123`. */
  origin: string
  port: number
  /** The path that answers 200 with `body`. */
  path: string
  body: string
}

export async function startBenchUpstream(scope: RunScope, options: { choice: UpstreamChoice; cpu?: number }): Promise<BenchUpstream> {
  const port = await freePort()
  const nginx = options.choice === 'node' ? undefined : findNginx()
  if (options.choice === 'nginx' && nginx === undefined) throw new BenchError('--upstream nginx: nginx is not installed', 2)
  if (nginx !== undefined) {
    const config = nginxUpstreamConfig({ port, path: UPSTREAM_PATH, body: UPSTREAM_BODY })
    await startNginx(scope, { binary: nginx, name: 'nginx-upstream', config, port, cpu: options.cpu })
  } else {
    await startNodeUpstream(scope, { port, cpu: options.cpu })
  }
  return { kind: nginx === undefined ? 'node' : 'nginx', origin: `http://127.0.0.1:${port}`, port, path: UPSTREAM_PATH, body: UPSTREAM_BODY }
}
