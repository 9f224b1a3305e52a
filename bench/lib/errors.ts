/** A failure the user can act on (missing tool, port in use, bad flag): printed without a stack. */
export class BenchError extends Error {
  /** Process exit code: 2 for a usage mistake, 1 for everything else. */
  readonly exitCode: number

  constructor(message: string, exitCode = 1) {
    super(message)
    this.name = 'BenchError'
    this.exitCode = exitCode
  }
}
