import { readFileSync } from 'node:fs'
import type { CommandSpec } from './args.ts'

export function packageVersion(): string {
  const manifest = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string }
  return manifest.version
}

export const versionCommand: CommandSpec = {
  name: 'version',
  summary: 'Print the Gatehouse and Node.js versions',
  usage: 'gatehouse version',
  options: {},
  async run() {
    console.log(`gatehouse ${packageVersion()} (node ${process.version})`)
    return 0
  },
}
