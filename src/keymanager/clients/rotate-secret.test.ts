// Rotation against real stores, with changes racing inside one process: both calls read the
// client before either writes, which is what two nodes rotating at once look like to the store.
import assert from 'node:assert/strict'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { after, describe, it } from 'node:test'
import { openStore } from '../../store/index.ts'
import type { Store } from '../../store/ports.ts'
import { SecretHasher } from '../secrets/secret-hasher.ts'
import { parseClientInput } from './client-input.ts'
import { registerClient, replaceClient, type RegisteredClient, type RegistryDeps } from './registry.ts'
import { rotateClientSecret } from './rotate-secret.ts'

const folder = mkdtempSync(join(tmpdir(), 'gatehouse-rotate-secret-'))
after(() => rmSync(folder, { recursive: true, force: true }))
const NOW = 1_750_000_000
const SETTINGS = { clientType: 'confidential', clientProfile: 'service', clientName: 'racer', ownerId: 'owner-1', scope: 'read' }

const stores: Array<[string, () => Promise<Store>]> = [
  ['memory', () => openStore({ type: 'memory' })],
  ['sqlite', () => openStore({ type: 'sqlite', path: join(folder, `store-${Math.random().toString(36).slice(2)}.db`) })],
]

for (const [kind, open] of stores) {
  describe(`rotateClientSecret (${kind} store)`, () => {
    const withDeps = async (test: (deps: RegistryDeps) => Promise<void>): Promise<void> => {
      const store = await open()
      try {
        await test({ store, hasher: new SecretHasher('pepper-for-rotation-tests-0123456789abcdef'), now: () => NOW })
      } finally {
        await store.close()
      }
    }

    it('KEY-07: two rotations at once both hand out working secrets: one current, the other previous', () => withDeps(async (deps) => {
      const { record } = await registerClient(deps, parseClientInput(SETTINGS, 3600))
      const [a, b] = await Promise.all([
        rotateClientSecret(deps, record.clientId, { overlapSeconds: 600 }),
        rotateClientSecret(deps, record.clientId, { overlapSeconds: 600 }),
      ])
      const stored = await deps.store.getClient(record.clientId)
      const digests = [stored?.secretDigest, stored?.previousSecretDigest].sort()
      assert.deepEqual(digests, [deps.hasher.digest(a?.secret as string), deps.hasher.digest(b?.secret as string)].sort())
      assert.equal(stored?.previousSecretExpiresAt, NOW + 600)
    }))

    for (const rotationFirst of [false, true]) {
      it(`KEY-07: a PUT racing a rotation (${rotationFirst ? 'rotation' : 'PUT'} writing first) keeps both changes`, () => withDeps(async (deps) => {
        const { record } = await registerClient(deps, parseClientInput(SETTINGS, 3600))
        const put = (): Promise<RegisteredClient | null> => replaceClient(deps, record.clientId, parseClientInput({ ...SETTINGS, clientName: 'renamed' }, 3600))
        const rotate = (): Promise<RegisteredClient | null> => rotateClientSecret(deps, record.clientId, { overlapSeconds: 60 })
        // Both read before either writes; the one started first writes first.
        let replaced: RegisteredClient | null
        let rotated: RegisteredClient | null
        if (rotationFirst) [rotated, replaced] = await Promise.all([rotate(), put()])
        else [replaced, rotated] = await Promise.all([put(), rotate()])
        const stored = await deps.store.getClient(record.clientId)
        assert.equal(replaced?.secret, null)
        assert.equal(stored?.clientName, 'renamed')
        assert.equal(stored?.secretDigest, deps.hasher.digest(rotated?.secret as string), 'the rotated secret is not written over')
        assert.equal(stored?.previousSecretDigest, record.secretDigest)
      }))
    }

    it('KEY-07: a client deleted before the write is reported as missing (null)', () => withDeps(async (deps) => {
      const { record } = await registerClient(deps, parseClientInput(SETTINGS, 3600))
      const [rotated] = await Promise.all([
        rotateClientSecret(deps, record.clientId, { overlapSeconds: 60 }),
        deps.store.deleteClient(record.clientId),
      ])
      assert.equal(rotated, null)
      assert.equal(await deps.store.getClient(record.clientId), null)
    }))
  })
}
