import { isAbsolute } from 'node:path'
import type { AccessLogConfig } from '../config/types.ts'
import { GatehouseError } from '../core/errors/gatehouse-error.ts'
import { formatAccessLine, type AccessLogEntry } from './access-log-line.ts'
import { BatchWriter, type ProblemReporter } from './batch-writer.ts'
import { createProcessLogger } from './process-log.ts'

export type { AccessLogEntry } from './access-log-line.ts'

export interface AccessLog {
  /** Formats the line and appends it to the current batch; never waits and never throws for I/O. */
  record(entry: AccessLogEntry): void
  /** Resolves once every line recorded so far has been written. */
  flush(): Promise<void>
  /** Reopens the file destination (for log rotation); no-op for stdout and stderr. */
  reopen(): Promise<void>
  /** Writes what is left and releases the destination; call on shutdown. Waits at most `timeoutMs` (default 5 s). */
  close(timeoutMs?: number): Promise<void>
  /** Lines dropped because the destination could not keep up. */
  readonly droppedLines: number
}

export interface AccessLogOptions {
  /** Where destination failures are reported (once per failure streak). Default: a process logger. */
  log?: ProblemReporter
  flushBytes?: number
  flushIntervalMs?: number
  maxQueuedBytes?: number
}

// A pipe write of at most PIPE_BUF (4 KiB on Linux) bytes is atomic, so when several cluster
// workers share stdout or stderr, their lines cannot interleave mid-line. Files are opened by each worker
// with O_APPEND, where a whole write lands in one piece, so a file takes full batches.
const PIPE_BUF = 4096
const DEFAULT_FLUSH_BYTES = 64 * 1024
const DEFAULT_FLUSH_INTERVAL_MS = 100
const DEFAULT_MAX_QUEUED_BYTES = 16 * 1024 * 1024

const DISABLED: AccessLog = {
  record() {},
  flush: () => Promise.resolve(),
  reopen: () => Promise.resolve(),
  close: () => Promise.resolve(),
  droppedLines: 0,
}

/** The access log described by `config`; a no-op object when it is disabled. */
export function createAccessLog(config: AccessLogConfig, options: AccessLogOptions = {}): AccessLog {
  if (!config.enabled) return DISABLED
  const { destination } = config
  const toStream = destination === 'stdout' || destination === 'stderr'
  if (!toStream && !isAbsolute(destination)) {
    throw new GatehouseError('GH_ERR_CONFIG_INVALID', `observability.accessLog.destination must be "stdout", "stderr" or an absolute file path, got "${destination}"`)
  }
  const flushBytes = options.flushBytes ?? DEFAULT_FLUSH_BYTES
  const writer = new BatchWriter({
    destination: toStream ? destination : { path: destination },
    chunkBytes: toStream ? PIPE_BUF : flushBytes,
    flushBytes,
    flushIntervalMs: options.flushIntervalMs ?? DEFAULT_FLUSH_INTERVAL_MS,
    maxQueuedBytes: options.maxQueuedBytes ?? DEFAULT_MAX_QUEUED_BYTES,
    report: options.log ?? createProcessLogger('info'),
  })
  return {
    record(entry) {
      writer.append(formatAccessLine(entry))
    },
    flush: () => writer.flush(),
    reopen: () => writer.reopen(),
    close: (timeoutMs) => writer.close(timeoutMs),
    get droppedLines() {
      return writer.droppedLines
    },
  }
}
