import { GatehouseError } from '../../core/errors/gatehouse-error.ts'
import { StoreConflictError, StoreInputError } from '../errors.ts'

/**
 * What went wrong, without any value the caller passed in. SQLite's own messages name tables,
 * columns and conditions ("database is locked", "no such table: clients") but never bound
 * parameters; other errors (a JSON.parse message can quote stored text) are named by code only.
 */
export function describeFailure(error: unknown): string {
  if (!(error instanceof Error)) return 'unknown error'
  const code = (error as { code?: unknown }).code
  if (code === 'ERR_SQLITE_ERROR') return error.message
  return typeof code === 'string' ? `${error.name} ${code}` : error.name
}

/** Runs one store operation, turning anything but the caller's own mistakes into GH_ERR_INTERNAL. */
export function runOperation<T>(operation: string, work: () => T): T {
  try {
    return work()
  } catch (error) {
    throw operationFailure(operation, error)
  }
}

/** The error a caller of `operation` sees for `error`: its own mistakes as they are, the rest as GH_ERR_INTERNAL. */
export function operationFailure(operation: string, error: unknown): Error {
  if (error instanceof StoreConflictError || error instanceof StoreInputError || error instanceof GatehouseError) return error
  return new GatehouseError('GH_ERR_INTERNAL', `store ${operation} failed: ${describeFailure(error)}`, { cause: error })
}
