import { createAdminServer, type AdminServer } from '../../admin/server.ts'
import { redactConfig } from '../../config/load.ts'
import type { GatehouseConfig } from '../../config/types.ts'
import type { ProcessLogger } from '../../observability/process-log.ts'
import { Gateway } from './gateway.ts'

export interface RunningGateway {
  gateway: Gateway
  admin: AdminServer
  stop(): Promise<void>
}

/** One process: data plane and admin listener together (`workers: 1`). */
export async function startSingleProcess(configFile: string, log: ProcessLogger, config?: GatehouseConfig): Promise<RunningGateway> {
  const gateway = await Gateway.start({ configFile, config, log: (level, message, fields) => log[level](fields ?? {}, message) })
  const { admin: adminConfig } = gateway.config
  const admin = await createAdminServer({
    host: adminConfig.host,
    port: adminConfig.port,
    token: adminConfig.token,
    metrics: async () => {
      const registry = gateway.metrics?.registry
      if (registry === undefined) return { contentType: 'text/plain; version=0.0.4', body: '' }
      return { contentType: registry.contentType, body: await registry.metrics() }
    },
    readiness: () => ({ ready: gateway.ready, checks: { listeners: gateway.ready, configVersion: gateway.version } }),
    reload: async () => {
      const result = await gateway.reload()
      if (result.ok) log.info({ version: result.version }, 'config reloaded')
      else log.error({ code: result.error.code, detail: result.error.detail }, 'config reload refused')
      return result
    },
    configSummary: () => redactConfig(gateway.config),
  })
  return {
    gateway,
    admin,
    async stop() {
      await gateway.shutdown()
      await admin.close()
    },
  }
}
