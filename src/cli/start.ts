import cluster from 'node:cluster'
import { availableParallelism } from 'node:os'
import { loadConfigFile } from '../config/load.ts'
import { ConfigError, formatConfigIssues } from '../config/issues.ts'
import type { GatehouseConfig } from '../config/types.ts'
import { createProcessLogger } from '../observability/process-log.ts'
import { startClusterPrimary } from '../gateway/server/cluster-primary.ts'
import { startClusterWorker } from '../gateway/server/cluster-worker.ts'
import { startSingleProcess } from '../gateway/server/single-process.ts'
import type { CommandSpec } from './args.ts'

export const startCommand: CommandSpec = {
  name: 'start',
  summary: 'Start the gateway in the foreground (SIGHUP reloads the config, SIGTERM drains and stops)',
  usage: 'gatehouse start [--config gatehouse.yaml] [--with-example-upstream]',
  options: {
    config: { type: 'string', short: 'c', default: 'gatehouse.yaml' },
    'with-example-upstream': { type: 'boolean', default: false },
  },
  async run(values) {
    const configFile = values.config as string
    if (cluster.isWorker) {
      const config = await loadConfigFile(configFile, { env: process.env })
      await startClusterWorker(configFile, createProcessLogger(config.observability.logLevel), config)
      return new Promise<number>(() => {}) // the worker exits when the primary tells it to
    }
    let config: GatehouseConfig
    try {
      config = await loadConfigFile(configFile, { env: process.env })
    } catch (error) {
      if (error instanceof ConfigError) {
        console.error(`gatehouse: refusing to start, ${configFile} is not valid:\n${formatConfigIssues(error.issues)}`)
        return 1
      }
      throw error
    }
    const log = createProcessLogger(config.observability.logLevel)
    const exampleUpstream = values['with-example-upstream'] === true ? await (await import('../../examples/upstream.ts')).startExampleUpstream() : null
    const workers = config.workers === 'auto' ? availableParallelism() : config.workers
    let stop: () => Promise<void>
    try {
      if (workers === 1) {
        const running = await startSingleProcess(configFile, log, config)
        stop = running.stop
        log.info({ listeners: running.gateway.addresses(), admin: running.admin.address(), workers: 1, pid: process.pid }, 'gatehouse started')
        process.on('SIGHUP', () => {
          void running.gateway.reload().then((result) => {
            if (result.ok) log.info({ version: result.version }, 'config reloaded')
            else log.error({ code: result.error.code, errors: result.error instanceof ConfigError ? formatConfigIssues(result.error.issues) : result.error.detail }, 'config reload refused; the previous config keeps serving')
          })
        })
      } else {
        const primary = await startClusterPrimary(configFile, config, workers, log)
        stop = primary.stop
        log.info({ listeners: config.listeners.map((l) => `${l.protocol}://${l.host}:${l.port}`), admin: `${config.admin.host}:${config.admin.port}`, workers, pid: process.pid }, 'gatehouse started')
        process.on('SIGHUP', () => void primary.reload().then((result) => log[result.ok ? 'info' : 'error'](result.ok ? { version: result.version } : { code: result.error.code }, result.ok ? 'config reloaded' : 'config reload refused')))
      }
    } catch (error) {
      exampleUpstream?.close()
      log.fatal({ err: error }, 'gatehouse failed to start')
      return 1
    }
    return new Promise<number>((resolve) => {
      const shutdown = (signal: string): void => {
        log.info({ signal }, 'draining and stopping')
        void stop().then(() => {
          exampleUpstream?.close()
          log.info('stopped')
          resolve(0)
        })
      }
      process.once('SIGTERM', () => shutdown('SIGTERM'))
      process.once('SIGINT', () => shutdown('SIGINT'))
    })
  },
}
