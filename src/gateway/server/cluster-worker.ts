import { ConfigError } from '../../config/issues.ts'
import type { GatehouseConfig } from '../../config/types.ts'
import type { ProcessLogger } from '../../observability/process-log.ts'
import { Gateway } from './gateway.ts'
import type { PrimaryMessage, WorkerMessage } from './worker-messages.ts'

/** A data-plane worker under the cluster primary: listens on the shared sockets, obeys IPC. */
export async function startClusterWorker(configFile: string, log: ProcessLogger, config?: GatehouseConfig): Promise<void> {
  const gateway = await Gateway.start({ configFile, config, exclusive: false, log: (level, message, fields) => log[level](fields ?? {}, message) })
  gateway.metrics?.enableClusterReporting()
  process.on('message', (message: PrimaryMessage) => {
    if (message.type === 'reload') {
      void gateway.reload().then((result) => {
        const reply: WorkerMessage = result.ok
          ? { type: 'reloaded', requestId: message.requestId, ok: true, version: result.version }
          : { type: 'reloaded', requestId: message.requestId, ok: false, code: result.error.code, detail: result.error.detail, issues: result.error instanceof ConfigError ? result.error.issues : [] }
        process.send?.(reply)
      })
    } else if (message.type === 'shutdown') {
      void gateway.shutdown().then(() => process.exit(0))
    }
  })
  // The primary decides when workers stop; a terminal's Ctrl-C reaches every process in the group.
  process.on('SIGINT', () => {})
  process.on('SIGTERM', () => void gateway.shutdown().then(() => process.exit(0)))
}
