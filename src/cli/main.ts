import { parseCommand, type CommandSpec } from './args.ts'

// Commands load lazily: `gatehouse version` or `--help` must not pay for the gateway's imports.
const COMMANDS: Record<string, { summary: string; load: () => Promise<CommandSpec> }> = {
  start: { summary: 'Start the gateway in the foreground (SIGHUP reloads, SIGTERM drains and stops)', load: async () => (await import('./start.ts')).startCommand },
  validate: { summary: 'Check a config file and print every problem with file, line and column', load: async () => (await import('./validate.ts')).validateCommand },
  reload: { summary: 'Ask a running gateway to reload its config (through its admin listener)', load: async () => (await import('./reload.ts')).reloadCommand },
  bench: { summary: 'Run a benchmark scenario side by side with reference targets', load: async () => { throw new Error('bench parses its own arguments') } },
  clients: { summary: 'Register, list and delete the key manager\'s OAuth clients, and rotate their secrets', load: async () => (await import('./clients.ts')).clientsCommand },
  users: { summary: 'Create users of the key manager\'s password grant', load: async () => (await import('./users.ts')).usersCommand },
  keys: { summary: 'Rotate the key manager\'s token signing key', load: async () => (await import('./keys.ts')).keysCommand },
  consumers: { summary: 'Create, list, suspend and delete consumers; add and revoke their API keys', load: async () => (await import('./consumers.ts')).consumersCommand },
  import: { summary: 'Write the config section for an OpenAPI or Swagger document, for review', load: async () => (await import('./import-openapi.ts')).importCommand },
  version: { summary: 'Print the Gatehouse and Node.js versions', load: async () => (await import('./version.ts')).versionCommand },
}

function overview(): string {
  const lines = Object.entries(COMMANDS).map(([name, command]) => `  ${name.padEnd(10)}${command.summary}`)
  return `Usage: gatehouse <command> [options]\n\nCommands:\n${lines.join('\n')}\n\nRun "gatehouse <command> --help" for a command's options.`
}

/** Runs the CLI; returns the process exit code. */
export async function main(argv: string[]): Promise<number> {
  const [name, ...rest] = argv
  if (name === undefined || name === '--help' || name === '-h' || name === 'help') {
    console.log(overview())
    return name === undefined ? 1 : 0
  }
  if (name === '--version' || name === '-v') return (await COMMANDS.version.load()).run({}, [])
  const entry = Object.hasOwn(COMMANDS, name) ? COMMANDS[name] : undefined
  if (entry === undefined) {
    console.error(`gatehouse: unknown command "${name}"\n\n${overview()}`)
    return 2
  }
  // `bench` parses its own arguments (scenario names and their options).
  if (name === 'bench') return (await import('./bench.ts')).runBench(rest)
  const command = await entry.load()
  let parsed
  try {
    parsed = parseCommand(command, rest)
  } catch (error) {
    console.error(`gatehouse ${name}: ${(error as Error).message}\n\nUsage: ${command.usage}`)
    return 2
  }
  if (parsed.values.help === true) {
    console.log(`Usage: ${command.usage}\n\n${command.summary}`)
    return 0
  }
  return command.run(parsed.values, parsed.positionals)
}
