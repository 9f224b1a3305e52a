import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { GatehouseError } from '../../src/core/errors/gatehouse-error.ts'
import { StoreConflictError } from '../../src/store/errors.ts'
import type { Store } from '../../src/store/ports.ts'
import { accessToken, client, NOW, refreshToken, signingKey, user, withStore } from './store-fixtures.ts'

export function keyContract(open: () => Promise<Store>): void {
  describe('signing keys', () => {
    it('saves keys and lists them oldest first, refusing a duplicate kid', () => withStore(open, async (store) => {
      const newer = signingKey('k-new', { createdAt: NOW + 100, algorithm: 'EdDSA' })
      const older = signingKey('k-old', { createdAt: NOW, algorithm: 'RS256' })
      const sameTime = signingKey('k-alt', { createdAt: NOW })
      await store.saveKey(newer)
      await store.saveKey(older)
      await store.saveKey(sameTime)
      await assert.rejects(store.saveKey(signingKey('k-old')), StoreConflictError)
      assert.deepEqual(await store.listKeys(), [sameTime, older, newer])
    }))

    it('updates (retires) a stored key, refuses to update an unknown one, and deletes once', () => withStore(open, async (store) => {
      await store.saveKey(signingKey('k1'))
      const retired = signingKey('k1', { retiredAt: NOW + 3600, expiresAt: NOW + 7200 })
      assert.equal(await store.updateKey(retired), true)
      assert.deepEqual(await store.listKeys(), [retired])
      assert.equal(await store.updateKey(signingKey('k2')), false)
      assert.deepEqual(await store.listKeys(), [retired])
      assert.equal(await store.deleteKey('k1'), true)
      assert.equal(await store.deleteKey('k1'), false)
      assert.deepEqual(await store.listKeys(), [])
    }))
  })

  describe('records are copies', () => {
    it('ignores changes the caller makes to a record after storing it or after reading it', () => withStore(open, async (store) => {
      const input = client('c1')
      await store.createClient(input)
      input.scopes.push('admin')
      input.clientName = 'changed'
      const read = await store.getClient('c1')
      assert.ok(read)
      read.redirectUris.push('https://evil.example/')
      read.clientType = 'trusted'
      const listed = (await store.listClients({ limit: 1 })).items[0]
      listed.grantTypes.length = 0
      assert.deepEqual(await store.getClient('c1'), client('c1'))

      await store.createUser(user('u1'))
      ;(await store.getUser('u1'))?.scopes.push('admin')
      assert.deepEqual(await store.getUser('u1'), user('u1'))

      await store.saveAccessToken(accessToken('a1'))
      const access = await store.getAccessToken('a1')
      if (access) access.revoked = true
      assert.equal((await store.getAccessToken('a1'))?.revoked, false)

      await store.saveRefreshToken(refreshToken('r1'))
      const refresh = await store.getRefreshToken('r1')
      if (refresh) refresh.usedAt = NOW
      assert.equal(await store.markRefreshTokenUsed('r1', NOW + 1), true)

      await store.saveKey(signingKey('k1'))
      const [key] = await store.listKeys()
      key.retiredAt = NOW
      assert.deepEqual(await store.listKeys(), [signingKey('k1')])
    }))
  })

  describe('close', () => {
    it('fails later calls with GH_ERR_INTERNAL naming the operation, and closes twice safely', async () => {
      const store = await open()
      await store.close()
      await store.close()
      await assert.rejects(store.getClient('c1'), (error: unknown) => {
        assert.ok(error instanceof GatehouseError)
        assert.equal(error.code, 'GH_ERR_INTERNAL')
        assert.match(error.message, /getClient/)
        return true
      })
      await assert.rejects(store.markRefreshTokenUsed('r1', NOW), /markRefreshTokenUsed/)
    })
  })
}
