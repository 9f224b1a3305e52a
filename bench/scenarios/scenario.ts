/** Where a scenario writes: `out` for results (stdout), `err` for progress and warnings (stderr). */
export interface BenchIo {
  out(text: string): void
  err(text: string): void
}

export interface Scenario {
  /** The name on the command line: `gatehouse bench <name>`. */
  name: string
  /** One line for the scenario list. */
  summary: string
  /** Full `--help` text: usage and options. */
  help: string
  /** Runs the scenario; resolves to the process exit code. */
  run(argv: string[], io: BenchIo): Promise<number>
}
