// The two Node processes of the benchmarks, each started from its own script so it can be pinned:
// the node:http upstream (bench/upstream.ts) and the reference proxy (bench/reference-proxy.ts).
import { fileURLToPath } from 'node:url'
import type { ManagedProcess, RunScope } from './run-scope.ts'
import { waitUntilListening } from './wait.ts'

const UPSTREAM_SCRIPT = fileURLToPath(new URL('../upstream.ts', import.meta.url))
const REFERENCE_SCRIPT = fileURLToPath(new URL('../reference-proxy.ts', import.meta.url))

export async function startNodeUpstream(scope: RunScope, options: { port: number; cpu?: number }): Promise<ManagedProcess> {
  const upstream = scope.spawn('node upstream', process.execPath, [UPSTREAM_SCRIPT, '--port', String(options.port)], { cpu: options.cpu })
  await waitUntilListening(options.port, { process: upstream })
  return upstream
}

export async function startReferenceProxy(scope: RunScope, options: { port: number; upstreamUrl: string; cpu?: number }): Promise<ManagedProcess> {
  const args = [REFERENCE_SCRIPT, '--port', String(options.port), '--upstream', options.upstreamUrl]
  const proxy = scope.spawn('reference proxy', process.execPath, args, { cpu: options.cpu })
  await waitUntilListening(options.port, { process: proxy })
  return proxy
}
