import { GatehouseError } from '../core/errors/gatehouse-error.ts'
import { MemoryStore } from './memory/memory-store.ts'
import type { Store } from './ports.ts'

export type { Store } from './ports.ts'
export { StoreConflictError, StoreInputError } from './errors.ts'

export type StoreConfig = { type: 'memory' } | { type: 'sqlite'; path: string }

/**
 * Opens the configured store adapter. node:sqlite is imported only when a SQLite store is asked
 * for, so a memory-only gateway never loads it.
 */
export async function openStore(config: StoreConfig): Promise<Store> {
  switch (config.type) {
    case 'memory':
      return new MemoryStore()
    case 'sqlite': {
      const { openSqliteStore } = await import('./sqlite/sqlite-store.ts')
      return openSqliteStore(config.path)
    }
    default:
      throw new GatehouseError('GH_ERR_CONFIG_INVALID', `store.type: unknown store type "${String((config as { type: unknown }).type)}"; expected memory or sqlite`)
  }
}
