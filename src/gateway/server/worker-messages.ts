import type { ErrorCode } from '../../core/errors/catalogue.ts'
import type { ConfigIssue } from '../../config/issues.ts'

/** Messages the cluster primary sends to its workers over the IPC channel. */
export type PrimaryMessage = { type: 'reload'; requestId: number } | { type: 'shutdown' }

/** Messages workers send back. */
export type WorkerMessage =
  | { type: 'reloaded'; requestId: number; ok: true; version: number }
  | { type: 'reloaded'; requestId: number; ok: false; code: ErrorCode; detail: string; issues: ConfigIssue[] }
