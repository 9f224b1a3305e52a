/**
 * An error built without a stack trace. Refusals of client input (bad tokens, bad assertions,
 * OAuth errors) are driven by whoever sends requests, often in bulk; capturing a stack would be
 * the most expensive part of refusing one and says nothing useful.
 */
export class TracelessError extends Error {
  constructor(message: string) {
    const limit = Error.stackTraceLimit
    Error.stackTraceLimit = 0
    super(message)
    Error.stackTraceLimit = limit
  }
}
