import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { StoreConflictError } from '../../src/store/errors.ts'
import type { Store } from '../../src/store/ports.ts'
import { accessToken, family, NOW, refreshToken, withStore } from './store-fixtures.ts'

export function tokenContract(open: () => Promise<Store>): void {
  describe('access tokens', () => {
    it('saves and reads a token, refuses a duplicate jti, and revokes it once', () => withStore(open, async (store) => {
      const token = accessToken('jti-1')
      await store.saveAccessToken(token)
      assert.deepEqual(await store.getAccessToken('jti-1'), token)
      assert.equal(await store.getAccessToken('jti-x'), null)
      await assert.rejects(store.saveAccessToken(accessToken('jti-1', { subject: 'mallory' })), StoreConflictError)
      assert.equal(await store.revokeAccessToken('jti-1'), true)
      assert.deepEqual(await store.getAccessToken('jti-1'), { ...token, revoked: true })
      assert.equal(await store.revokeAccessToken('jti-1'), false, 'already revoked')
      assert.equal(await store.revokeAccessToken('jti-x'), false, 'unknown')
    }))

    it('revokes every still-valid access token of a family and nothing else', () => withStore(open, async (store) => {
      await store.saveAccessToken(accessToken('a1', { familyId: 'fam-a' }))
      await store.saveAccessToken(accessToken('a2', { familyId: 'fam-a' }))
      await store.saveAccessToken(accessToken('a3', { familyId: 'fam-a', revoked: true }))
      await store.saveAccessToken(accessToken('b1', { familyId: 'fam-b' }))
      await store.saveAccessToken(accessToken('n1', { familyId: null }))
      assert.equal(await store.revokeAccessTokensOfFamily('fam-a'), 2)
      for (const jti of ['a1', 'a2', 'a3']) assert.equal((await store.getAccessToken(jti))?.revoked, true, jti)
      assert.equal((await store.getAccessToken('b1'))?.revoked, false)
      assert.deepEqual(await store.getAccessToken('n1'), accessToken('n1', { familyId: null }))
      assert.equal(await store.revokeAccessTokensOfFamily('fam-a'), 0)
      assert.equal(await store.revokeAccessTokensOfFamily('fam-none'), 0)
    }))
  })

  describe('refresh tokens', () => {
    it('saves and reads by digest and refuses a duplicate digest', () => withStore(open, async (store) => {
      const token = refreshToken('d1'.repeat(32))
      await store.saveRefreshToken(token)
      assert.deepEqual(await store.getRefreshToken(token.digest), token)
      assert.equal(await store.getRefreshToken('ff'.repeat(32)), null)
      await assert.rejects(store.saveRefreshToken(refreshToken(token.digest)), (error: unknown) => {
        assert.ok(error instanceof StoreConflictError)
        assert.ok(!error.message.includes(token.digest), 'the digest stays out of the message')
        return true
      })
    }))

    it('marks a token used once: the first call wins, later calls see reuse and keep the first time', () => withStore(open, async (store) => {
      await store.saveRefreshToken(refreshToken('r1'))
      assert.equal(await store.markRefreshTokenUsed('r1', NOW + 10), true)
      assert.equal(await store.markRefreshTokenUsed('r1', NOW + 20), false)
      assert.equal((await store.getRefreshToken('r1'))?.usedAt, NOW + 10)
      assert.equal(await store.markRefreshTokenUsed('unknown', NOW), false)
    }))

    it('lets exactly one of many concurrent markRefreshTokenUsed calls win', () => withStore(open, async (store) => {
      await store.saveRefreshToken(refreshToken('race'))
      const results = await Promise.all(Array.from({ length: 10 }, (_, i) => store.markRefreshTokenUsed('race', NOW + i)))
      assert.equal(results.filter((won) => won).length, 1)
      assert.equal((await store.getRefreshToken('race'))?.usedAt, NOW + results.indexOf(true))
    }))
  })

  describe('refresh families', () => {
    it('creates, refuses a duplicate, and revokes a family once keeping the first time', () => withStore(open, async (store) => {
      await store.createFamily(family('fam-1'))
      assert.deepEqual(await store.getFamily('fam-1'), family('fam-1'))
      assert.equal(await store.getFamily('fam-2'), null)
      await assert.rejects(store.createFamily(family('fam-1', { subject: 'bob' })), StoreConflictError)
      assert.equal(await store.revokeFamily('fam-1', NOW + 1), true)
      assert.equal(await store.revokeFamily('fam-1', NOW + 2), false)
      assert.deepEqual(await store.getFamily('fam-1'), family('fam-1', { revokedAt: NOW + 1 }))
      assert.equal(await store.revokeFamily('fam-2', NOW), false)
    }))
  })

  describe('JWT ids', () => {
    it('remembers a jti per issuer: true the first time, false after, true for another issuer', () => withStore(open, async (store) => {
      assert.equal(await store.rememberJti('client-a', 'j1', NOW + 60), true)
      assert.equal(await store.rememberJti('client-a', 'j1', NOW + 60), false)
      assert.equal(await store.rememberJti('client-b', 'j1', NOW + 60), true)
      assert.equal(await store.rememberJti('client-a', 'j2', NOW + 60), true)
      // No separator trick makes two different (issuer, jti) pairs collide.
      assert.equal(await store.rememberJti('client-a:j', '1', NOW + 60), true)
      const concurrent = await Promise.all(Array.from({ length: 5 }, () => store.rememberJti('client-c', 'j1', NOW + 60)))
      assert.equal(concurrent.filter((fresh) => fresh).length, 1)
    }))

    it('keeps blocking an expired jti until a purge removes it', () => withStore(open, async (store) => {
      assert.equal(await store.rememberJti('iss', 'old', NOW), true)
      assert.equal(await store.rememberJti('iss', 'old', NOW + 100), false)
      assert.equal(await store.purgeExpired(NOW + 1), 1)
      assert.equal(await store.rememberJti('iss', 'old', NOW + 100), true)
    }))
  })

  describe('purgeExpired', () => {
    it('removes only records whose expiry is before now and counts them', () => withStore(open, async (store) => {
      await store.saveAccessToken(accessToken('at-old', { expiresAt: NOW - 1 }))
      await store.saveAccessToken(accessToken('at-edge', { expiresAt: NOW }))
      await store.saveAccessToken(accessToken('at-new', { expiresAt: NOW + 1 }))
      await store.saveRefreshToken(refreshToken('rt-old', { expiresAt: NOW - 100 }))
      await store.saveRefreshToken(refreshToken('rt-new', { expiresAt: NOW + 100 }))
      await store.rememberJti('iss', 'jti-old', NOW - 5)
      await store.rememberJti('iss', 'jti-new', NOW + 5)
      await store.createFamily(family('family-1'))
      assert.equal(await store.purgeExpired(NOW), 3)
      assert.equal(await store.getAccessToken('at-old'), null)
      assert.equal(await store.getRefreshToken('rt-old'), null)
      assert.equal(await store.rememberJti('iss', 'jti-old', NOW + 5), true, 'purged jti is usable again')
      assert.notEqual(await store.getAccessToken('at-edge'), null, 'expiring exactly now is not yet before now')
      assert.notEqual(await store.getAccessToken('at-new'), null)
      assert.notEqual(await store.getRefreshToken('rt-new'), null)
      assert.equal(await store.rememberJti('iss', 'jti-new', NOW + 5), false, 'unexpired jti still blocks')
      assert.notEqual(await store.getFamily('family-1'), null, 'families have no expiry and stay')
      assert.equal(await store.purgeExpired(NOW), 0)
    }))
  })
}
