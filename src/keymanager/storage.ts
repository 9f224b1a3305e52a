// Opens what both the running key manager and the CLI need: the configured store and the hasher
// keyed with the secret pepper. The pepper is the deployment's one (src/config/secret-pepper.ts):
// the configured `secretPepper`, or the file `<store path>.pepper` created on first start, so the
// CLI, every worker process and the API-key digests all agree. Losing that file makes every stored
// client secret and refresh token unusable: back it up, but not together with database dumps.
import type { KeyManagerConfig } from '../config/types.ts'
import { resolveSecretPepper } from '../config/secret-pepper.ts'
import { openStore } from '../store/index.ts'
import type { Store } from '../store/ports.ts'
import { SecretHasher } from './secrets/secret-hasher.ts'

export interface KeyManagerStorage {
  store: Store
  hasher: SecretHasher
}

export async function openKeyManagerStorage(config: KeyManagerConfig): Promise<KeyManagerStorage> {
  const store = await openStore(config.store)
  try {
    return { store, hasher: new SecretHasher(resolveSecretPepper(config)) }
  } catch (error) {
    await store.close()
    throw error
  }
}
