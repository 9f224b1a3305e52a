// A KeyStore over a Map for the key-ring and token tests. Records are copied in and out, as a real
// adapter would serialise them, so a test cannot pass by sharing objects with the key ring.
import type { KeyStore, SigningKeyRecord } from '../../store/ports.ts'

export class MapKeyStore implements KeyStore {
  readonly records = new Map<string, SigningKeyRecord>()
  writes = 0

  async saveKey(key: SigningKeyRecord): Promise<void> {
    if (this.records.has(key.kid)) throw new Error(`duplicate kid ${key.kid}`)
    this.records.set(key.kid, { ...key })
    this.writes++
  }

  async listKeys(): Promise<SigningKeyRecord[]> {
    return [...this.records.values()].map((record) => ({ ...record }))
  }

  async updateKey(key: SigningKeyRecord): Promise<boolean> {
    if (!this.records.has(key.kid)) return false
    this.records.set(key.kid, { ...key })
    this.writes++
    return true
  }

  async deleteKey(kid: string): Promise<boolean> {
    this.writes++
    return this.records.delete(kid)
  }
}
