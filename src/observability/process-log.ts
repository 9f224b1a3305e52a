import { pino, type DestinationStream, type Logger } from 'pino'
import type { ObservabilityConfig } from '../config/types.ts'

export type ProcessLogger = Logger
export type LogLevel = ObservabilityConfig['logLevel']

export interface ProcessLoggerOptions {
  /** Default `stdout`, the same stream as the access log, whose lines share pino's layout. */
  destination?: 'stdout' | 'stderr'
  /** Write to this stream instead (tests, embedding). */
  stream?: DestinationStream
}

// Lifecycle messages may carry config fragments or errors that quote a request; keep credentials
// out of them the same way the access log keeps them out of query strings.
const REDACT_PATHS = [
  'token', '*.token', 'password', '*.password', 'clientSecret', '*.clientSecret', 'client_secret', '*.client_secret',
  'authorization', '*.authorization', 'headers.authorization', '*.headers.authorization',
]

/**
 * The process log: start, reload, shutdown and failures, as JSON lines. Written synchronously:
 * these lines are rare, and the last one before a crash must not sit in a buffer.
 */
export function createProcessLogger(level: LogLevel, options: ProcessLoggerOptions = {}): ProcessLogger {
  const stream = options.stream ?? pino.destination({ dest: options.destination === 'stderr' ? 2 : 1, sync: true })
  return pino({ level, redact: { paths: REDACT_PATHS, censor: '***' } }, stream)
}
