import { loadConfigFile } from '../config/load.ts'
import { ConfigError, formatConfigIssues } from '../config/issues.ts'
import type { CommandSpec } from './args.ts'

export const reloadCommand: CommandSpec = {
  name: 'reload',
  summary: 'Ask a running gateway to reload its config (through its admin listener)',
  usage: 'gatehouse reload [--config gatehouse.yaml]',
  options: { config: { type: 'string', short: 'c', default: 'gatehouse.yaml' } },
  async run(values) {
    const file = values.config as string
    let admin
    try {
      admin = (await loadConfigFile(file, { env: process.env })).admin
    } catch (error) {
      // The running gateway would refuse this file too; say why without bothering it.
      if (error instanceof ConfigError) {
        console.error(formatConfigIssues(error.issues))
        return 1
      }
      throw error
    }
    const host = admin.host.includes(':') ? `[${admin.host}]` : admin.host === '0.0.0.0' ? '127.0.0.1' : admin.host
    const headers: Record<string, string> = admin.token === undefined ? {} : { authorization: `Bearer ${admin.token}` }
    let response: Response
    try {
      response = await fetch(`http://${host}:${admin.port}/reload`, { method: 'POST', headers, signal: AbortSignal.timeout(30_000) })
    } catch (error) {
      console.error(`gatehouse reload: no gateway answered on the admin listener ${host}:${admin.port} (${(error as Error).message})`)
      return 1
    }
    const body = (await response.json()) as { version?: number; detail?: string }
    if (response.ok) {
      console.log(`reloaded: config version ${body.version}`)
      return 0
    }
    // For a config problem, detail holds one `file:line:column path: message (CODE)` line per issue.
    console.error(`reload refused (${response.status}); the running config is unchanged:\n${body.detail ?? ''}`)
    return 1
  },
}
