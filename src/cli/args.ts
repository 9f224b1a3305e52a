import { parseArgs } from 'node:util'

export interface CommandSpec {
  name: string
  summary: string
  usage: string
  options: NonNullable<Parameters<typeof parseArgs>[0]>['options']
  run: (values: Record<string, unknown>, positionals: string[]) => Promise<number>
}

/** Parses a command's arguments; unknown options are an error with the usage line. */
export function parseCommand(spec: CommandSpec, argv: string[]): { values: Record<string, unknown>; positionals: string[] } {
  const { values, positionals } = parseArgs({ args: argv, options: { ...spec.options, help: { type: 'boolean', short: 'h' } }, allowPositionals: true, strict: true })
  return { values, positionals }
}
