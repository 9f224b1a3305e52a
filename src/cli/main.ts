import { parseCommand, type CommandSpec } from './args.ts'
import { startCommand } from './start.ts'
import { validateCommand } from './validate.ts'
import { reloadCommand } from './reload.ts'
import { versionCommand } from './version.ts'
import { runBench } from './bench.ts'

// `bench` parses its own arguments (scenario names and their options).
const benchCommand: CommandSpec = { name: 'bench', summary: 'Run a benchmark scenario side by side with reference targets', usage: 'gatehouse bench <scenario> [--duration S] [--json]', options: {}, run: async () => 0 }

const COMMANDS: CommandSpec[] = [startCommand, validateCommand, reloadCommand, benchCommand, versionCommand]

function overview(): string {
  const lines = COMMANDS.map((command) => `  ${command.name.padEnd(10)}${command.summary}`)
  return `Usage: gatehouse <command> [options]\n\nCommands:\n${lines.join('\n')}\n\nRun "gatehouse <command> --help" for a command's options.`
}

/** Runs the CLI; returns the process exit code. */
export async function main(argv: string[]): Promise<number> {
  const [name, ...rest] = argv
  if (name === undefined || name === '--help' || name === '-h' || name === 'help') {
    console.log(overview())
    return name === undefined ? 1 : 0
  }
  if (name === '--version' || name === '-v') return versionCommand.run({}, [])
  const command = COMMANDS.find((candidate) => candidate.name === name)
  if (command === undefined) {
    console.error(`gatehouse: unknown command "${name}"\n\n${overview()}`)
    return 2
  }
  if (command === benchCommand) return runBench(rest)
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
