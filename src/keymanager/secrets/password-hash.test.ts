import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { GatehouseError } from '../../core/errors/gatehouse-error.ts'
import { dummyPasswordHash, hashPassword, needsRehash, verifyPassword, type ScryptParams } from './password-hash.ts'

// Small cost keeps the suite fast; the cost in production is configuration (see README.md).
const FAST: ScryptParams = { N: 1024, r: 8, p: 1 }

describe('hashPassword / verifyPassword', () => {
  it('produces scrypt$N$r$p$salt$hash with a 16-byte salt and a 32-byte key', async () => {
    const stored = await hashPassword('correct horse battery staple', FAST)
    const match = /^scrypt\$1024\$8\$1\$([A-Za-z0-9+/]+=*)\$([A-Za-z0-9+/]+=*)$/.exec(stored)
    assert.ok(match, stored)
    assert.equal(Buffer.from(match[1], 'base64').length, 16)
    assert.equal(Buffer.from(match[2], 'base64').length, 32)
    assert.equal(await verifyPassword('correct horse battery staple', stored), true)
    assert.equal(await verifyPassword('correct horse battery stapl', stored), false)
    assert.equal(await verifyPassword('', stored), false)
  })

  it('KEY-01: salts every hash, so equal passwords are stored differently', async () => {
    const a = await hashPassword('same', FAST)
    const b = await hashPassword('same', FAST)
    assert.notEqual(a, b)
    assert.equal(a.includes('same'), false)
  })

  it('reads the parameters from the stored hash, so they can change later', async () => {
    const old = await hashPassword('pw', { N: 2048, r: 4, p: 2, keyLength: 16 })
    assert.match(old, /^scrypt\$2048\$4\$2\$/)
    assert.equal(await verifyPassword('pw', old), true)
    assert.equal(needsRehash(old, FAST), true)
    assert.equal(needsRehash(await hashPassword('pw', FAST), FAST), false)
    assert.equal(needsRehash('garbage', FAST), true)
  })

  it('N = 2^15 works although it needs more than Node\'s default 32 MiB maxmem', async () => {
    const stored = await hashPassword('pw', { N: 2 ** 15, r: 8, p: 1 })
    assert.equal(await verifyPassword('pw', stored), true)
  })

  it('treats composed and decomposed accents as the same password (NFC)', async () => {
    const stored = await hashPassword('caf\u00e9', FAST)
    assert.equal(await verifyPassword('cafe\u0301', stored), true)
  })

  it('a malformed stored value is no match and never throws', async () => {
    const good = await hashPassword('pw', FAST)
    const [, N, r, p, salt, hash] = good.split('$')
    const malformed = [
      '', 'pw', 'scrypt', `bcrypt$${N}$${r}$${p}$${salt}$${hash}`, `scrypt$${N}$${r}$${p}$${salt}`, `${good}$x`,
      `scrypt$1000$${r}$${p}$${salt}$${hash}`, `scrypt$0$${r}$${p}$${salt}$${hash}`, `scrypt$01024$${r}$${p}$${salt}$${hash}`,
      `scrypt$${2 ** 30}$${r}$${p}$${salt}$${hash}`, `scrypt$${N}$0$${p}$${salt}$${hash}`, `scrypt$${N}$${r}$99$${salt}$${hash}`,
      `scrypt$${N}$${r}$${p}$${salt.replace(/=+$/, '')}$${hash}`, `scrypt$${N}$${r}$${p}$${salt}$`, `scrypt$${N}$${r}$${p}$${salt}$${hash} `,
      `scrypt$${N}$${r}$${p}$${salt}$${hash.slice(0, 8)}`, `scrypt$-1024$${r}$${p}$${salt}$${hash}`, `scrypt$${N}.0$${r}$${p}$${salt}$${hash}`,
      'x'.repeat(100_000),
    ]
    for (const stored of malformed) assert.equal(await verifyPassword('pw', stored), false, stored.slice(0, 80))
    for (const stored of [null, undefined, 42, {}]) assert.equal(await verifyPassword('pw', stored as unknown as string), false)
    assert.equal(await verifyPassword(undefined as unknown as string, good), false)
  })

  it('refuses unusable parameters with GH_ERR_CONFIG_INVALID', async () => {
    for (const params of [{ N: 1000, r: 8, p: 1 }, { N: 512, r: 8, p: 1 }, { N: 2 ** 23, r: 8, p: 1 }, { N: 2 ** 22, r: 4, p: 1 }, { N: 1024, r: 0, p: 1 }, { N: 1024, r: 8, p: 0 }, { N: 1024, r: 8, p: 1, keyLength: 8 }]) {
      await assert.rejects(hashPassword('pw', params), (e: unknown) => e instanceof GatehouseError && e.code === 'GH_ERR_CONFIG_INVALID', JSON.stringify(params))
    }
  })
})

describe('dummyPasswordHash', () => {
  it('is a well-formed hash with the given parameters that no password matches', async () => {
    const dummy = dummyPasswordHash(FAST)
    assert.match(dummy, /^scrypt\$1024\$8\$1\$/)
    assert.equal(dummyPasswordHash(FAST), dummy, 'made once per parameter set')
    assert.equal(needsRehash(dummy, FAST), false)
    for (const guess of ['', 'password', 'pw']) assert.equal(await verifyPassword(guess, dummy), false)
  })

  it('OAUTH-13: checking an unknown user against it costs about as much as a wrong password for a real user', async () => {
    const params: ScryptParams = { N: 2 ** 14, r: 8, p: 1 }
    const real = await hashPassword('the real one', params)
    const dummy = dummyPasswordHash(params)
    const time = async (stored: string): Promise<number> => {
      const started = performance.now()
      await verifyPassword('a wrong guess', stored)
      return performance.now() - started
    }
    await time(real)
    await time(dummy)
    const realTimes: number[] = []
    const dummyTimes: number[] = []
    for (let i = 0; i < 5; i++) {
      realTimes.push(await time(real))
      dummyTimes.push(await time(dummy))
    }
    const median = (values: number[]): number => values.sort((a, b) => a - b)[2]
    const ratio = median(dummyTimes) / median(realTimes)
    assert.ok(ratio > 1 / 3 && ratio < 3, `dummy/real median ratio ${ratio.toFixed(2)} (${median(dummyTimes).toFixed(1)} ms vs ${median(realTimes).toFixed(1)} ms)`)
    assert.ok(median(dummyTimes) > 5, 'the dummy check really runs scrypt')
  })
})
