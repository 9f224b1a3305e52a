// Starting the passthrough targets. A target that cannot start (nginx not installed, gateway not
// built, wrong answer) is skipped with a reason instead of ending the run, so the remaining rows
// still get measured; `--check` then fails because its bars cannot be evaluated.
import type { BenchUpstream } from '../../lib/bench-upstream.ts'
import type { Pinning } from '../../lib/cpus.ts'
import { BenchError } from '../../lib/errors.ts'
import { passthroughGatehouseConfig, startBenchGateway } from '../../lib/gatehouse.ts'
import { findNginx, nginxProxyConfig, startNginx } from '../../lib/nginx.ts'
import { startReferenceProxy } from '../../lib/node-servers.ts'
import { freePort } from '../../lib/ports.ts'
import type { LoadTarget } from '../../lib/rounds.ts'
import type { ManagedProcess, RunScope } from '../../lib/run-scope.ts'
import { httpGet } from '../../lib/wait.ts'

export const PASSTHROUGH_TARGETS = ['direct', 'gatehouse', 'nginx', 'reference'] as const
export type PassthroughTarget = (typeof PASSTHROUGH_TARGETS)[number]

export interface StartedTargets {
  ready: LoadTarget[]
  skipped: Record<string, string>
  /** Where the gateway writes its access log, when it runs. */
  gatehouseAccessLog?: string
}

/** Starts the proxy and returns its origin; throws with a reason when it cannot. */
type Starter = (scope: RunScope, upstream: BenchUpstream, cpu: number | undefined, started: StartedTargets) => Promise<{ origin: string; process: ManagedProcess }>

const STARTERS: Record<Exclude<PassthroughTarget, 'direct'>, Starter> = {
  async gatehouse(scope, upstream, cpu, started) {
    const gateway = await startBenchGateway(scope, { dirPrefix: 'gatehouse-bench-gatehouse', cpu, config: (place) => passthroughGatehouseConfig({ ...place, upstreamUrl: upstream.origin }) })
    started.gatehouseAccessLog = gateway.accessLogFile
    return gateway
  },
  async nginx(scope, upstream, cpu) {
    const binary = findNginx()
    if (binary === undefined) throw new Error('nginx is not installed')
    const port = await freePort()
    const server = await startNginx(scope, { binary, name: 'nginx-proxy', config: nginxProxyConfig({ port, upstreamPort: upstream.port }), port, cpu })
    return { origin: `http://127.0.0.1:${port}`, process: server }
  },
  async reference(scope, upstream, cpu) {
    const port = await freePort()
    const server = await startReferenceProxy(scope, { port, upstreamUrl: upstream.origin, cpu })
    return { origin: `http://127.0.0.1:${port}`, process: server }
  },
}

/** One GET through the target must return the upstream's exact answer before it is measured. */
async function verify(url: string, upstream: BenchUpstream): Promise<void> {
  const response = await httpGet(url)
  if (response.status !== 200 || response.body !== upstream.body) {
    throw new Error(`GET ${url} answered ${response.status} ${JSON.stringify(response.body.slice(0, 200))}, expected 200 ${JSON.stringify(upstream.body)}`)
  }
}

export async function startPassthroughTargets(scope: RunScope, names: readonly PassthroughTarget[], upstream: BenchUpstream, pinning: Pinning | undefined, log: (line: string) => void): Promise<StartedTargets> {
  const started: StartedTargets = { ready: [], skipped: {} }
  for (const name of names) {
    if (name === 'direct') {
      const url = upstream.origin + upstream.path
      // Without a working upstream no row means anything: stop here.
      await verify(url, upstream).catch((error: Error) => {
        throw new BenchError(`the upstream does not answer correctly: ${error.message}`)
      })
      started.ready.push({ name, url })
      continue
    }
    const own = scope.subscope()
    try {
      const { origin, process: server } = await STARTERS[name](own, upstream, pinning?.proxyCpu, started)
      await verify(origin + upstream.path, upstream)
      started.ready.push({ name, url: origin + upstream.path, process: server })
    } catch (error) {
      await own.close()
      started.skipped[name] = (error as Error).message
      log(`skipping ${name}: ${(error as Error).message}`)
    }
  }
  return started
}
