// The key manager's storage opened from a config file without starting a server: what the
// `clients`, `users` and `keys` CLI commands work on. It shares the SQLite file (and the pepper
// beside it) with a running gateway; SQLite's locking makes that safe.
import type { KeyManagerConfig } from '../config/types.ts'
import { loadConfigFile } from '../config/load.ts'
import { ConfigError, formatConfigIssues } from '../config/issues.ts'
import { GatehouseError } from '../core/errors/gatehouse-error.ts'
import { StoreConflictError } from '../store/errors.ts'
import { openKeyManagerStorage, type KeyManagerStorage } from './storage.ts'

export interface OfflineKeyManager extends KeyManagerStorage {
  config: KeyManagerConfig
}

/** Throws ConfigError for a bad file, GH_ERR_CONFIG_INVALID when the key manager is off or in memory. */
export async function openOffline(configFile: string): Promise<OfflineKeyManager> {
  const config = (await loadConfigFile(configFile, { env: process.env })).keyManager
  if (config === null) throw new GatehouseError('GH_ERR_CONFIG_INVALID', `${configFile} has no keyManager section: the key manager is off`)
  if (config.store.type === 'memory') {
    throw new GatehouseError('GH_ERR_CONFIG_INVALID', 'keyManager.store is memory: its data lives inside the running gateway, so only the registry API can change it')
  }
  return { config, ...await openKeyManagerStorage(config) }
}

/** What to print when a command fails: every config issue on its own line, or the error's detail. */
export function describeFailure(error: unknown): string {
  if (error instanceof ConfigError) return formatConfigIssues(error.issues)
  if (error instanceof GatehouseError) return error.detail
  if (error instanceof StoreConflictError) return error.message
  throw error
}
