import { loadConfigFile } from '../config/load.ts'
import { ConfigError, formatConfigIssues } from '../config/issues.ts'
import type { CommandSpec } from './args.ts'

export const validateCommand: CommandSpec = {
  name: 'validate',
  summary: 'Check a config file and print every problem with file, line and column',
  usage: 'gatehouse validate <file>',
  options: {},
  async run(_values, positionals) {
    const file = positionals[0] ?? 'gatehouse.yaml'
    try {
      const config = await loadConfigFile(file, { env: process.env })
      console.log(`${file}: valid (${config.listeners.length} listeners, ${Object.keys(config.upstreams).length} upstreams, ${config.routes.length} routes)`)
      return 0
    } catch (error) {
      if (error instanceof ConfigError) {
        console.error(formatConfigIssues(error.issues))
        return 1
      }
      throw error
    }
  },
}
