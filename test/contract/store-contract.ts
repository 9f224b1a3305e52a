import { describe } from 'node:test'
import type { Store } from '../../src/store/ports.ts'
import { clientContract } from './contract-clients.ts'
import { consumerContract } from './contract-consumers.ts'
import { keyContract } from './contract-keys.ts'
import { tokenContract } from './contract-tokens.ts'

/**
 * The store contract: every adapter runs exactly these tests. `open` must return a fresh, empty
 * store each time; each test closes the store it opened.
 */
export function storeContract(name: string, open: () => Promise<Store>): void {
  describe(`store contract: ${name}`, () => {
    clientContract(open)
    tokenContract(open)
    keyContract(open)
    consumerContract(open)
  })
}
