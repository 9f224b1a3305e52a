import cluster, { type Worker } from 'node:cluster'
import { createAdminServer } from '../../admin/server.ts'
import { loadConfigFile, redactConfig } from '../../config/load.ts'
import type { GatehouseConfig } from '../../config/types.ts'
import { GatehouseError } from '../../core/errors/gatehouse-error.ts'
import { ConfigError } from '../../config/issues.ts'
import { createClusterMetrics } from '../../observability/cluster-metrics.ts'
import { GatewayMetrics } from '../../observability/metrics.ts'
import type { ProcessLogger } from '../../observability/process-log.ts'
import type { ReloadResult } from './gateway.ts'
import type { PrimaryMessage, WorkerMessage } from './worker-messages.ts'

/**
 * `workers: N` with N > 1: the primary forks N data-plane workers that share the listening
 * sockets, hosts the admin listener (metrics summed over workers), fans reloads out, restarts
 * crashed workers, and drains them all on SIGTERM.
 */
export async function startClusterPrimary(configFile: string, config: GatehouseConfig, count: number, log: ProcessLogger): Promise<{ stop(): Promise<void>; reload(): Promise<ReloadResult> }> {
  let stopping = false
  let nextRequestId = 1
  const pending = new Map<number, { waiting: number; results: ReloadResult[]; resolve: (result: ReloadResult) => void }>()
  let currentConfig = config

  const onMessage = (message: WorkerMessage): void => {
    if (message.type !== 'reloaded') return
    const entry = pending.get(message.requestId)
    if (entry === undefined) return
    entry.results.push(
      message.ok ? { ok: true, version: message.version } : { ok: false, error: message.issues.length > 0 ? new ConfigError(message.issues) : new GatehouseError(message.code, message.detail) },
    )
    if (--entry.waiting === 0) {
      pending.delete(message.requestId)
      entry.resolve(entry.results.find((result) => !result.ok) ?? entry.results[0])
    }
  }

  const fork = (): Worker => {
    const worker = cluster.fork({ GATEHOUSE_WORKER: '1' })
    worker.on('message', onMessage)
    return worker
  }
  cluster.on('exit', (worker, code, signal) => {
    if (stopping) return
    log.error({ pid: worker.process.pid, code, signal }, 'worker exited; starting a replacement')
    fork()
  })
  const workers = Array.from({ length: count }, fork)
  await Promise.all(workers.map((worker) => new Promise<void>((resolve) => worker.once('listening', () => resolve()))))

  const reload = async (): Promise<ReloadResult> => {
    try {
      currentConfig = await loadConfigFile(configFile, { env: process.env })
    } catch (error) {
      return { ok: false, error: error instanceof GatehouseError ? error : new GatehouseError('GH_ERR_CONFIG_INVALID', String(error)) }
    }
    const live = Object.values(cluster.workers ?? {}).filter((worker): worker is Worker => worker !== undefined)
    const requestId = nextRequestId++
    return new Promise((resolve) => {
      // A worker that dies mid-reload never answers; its replacement starts on the new file anyway.
      const timer = setTimeout(() => {
        pending.delete(requestId)
        resolve({ ok: false, error: new GatehouseError('GH_ERR_INTERNAL', 'not every worker confirmed the reload within 30 s') })
      }, 30_000)
      timer.unref()
      pending.set(requestId, { waiting: live.length, results: [], resolve: (result) => { clearTimeout(timer); resolve(result) } })
      const message: PrimaryMessage = { type: 'reload', requestId }
      for (const worker of live) worker.send(message)
    })
  }

  // The primary's own process metrics (memory, event loop) join the workers' sums.
  const metrics = createClusterMetrics({ primaryRegistry: new GatewayMetrics({ defaultMetrics: true }).registry })
  const admin = await createAdminServer({
    host: config.admin.host,
    port: config.admin.port,
    token: config.admin.token,
    metrics: () => metrics.collect(),
    readiness: () => ({ ready: !stopping && Object.keys(cluster.workers ?? {}).length > 0, checks: { workers: Object.keys(cluster.workers ?? {}).length } }),
    reload,
    configSummary: () => redactConfig(currentConfig),
  })

  return {
    reload,
    async stop() {
      stopping = true
      const live = Object.values(cluster.workers ?? {}).filter((worker): worker is Worker => worker !== undefined)
      const exits = live.map((worker) => new Promise<void>((resolve) => (worker.isDead() ? resolve() : worker.once('exit', () => resolve()))))
      const message: PrimaryMessage = { type: 'shutdown' }
      for (const worker of live) worker.send(message)
      const deadline = setTimeout(() => live.forEach((worker) => worker.process.kill('SIGKILL')), currentConfig.shutdown.drainTimeoutMs + 5000)
      await Promise.all(exits)
      clearTimeout(deadline)
      await admin.close()
    },
  }
}
