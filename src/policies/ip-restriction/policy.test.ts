import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { GatehouseError } from '../../core/errors/gatehouse-error.ts'
import type { RequestContext } from '../../kit/context.ts'
import { makeTestContext } from '../test-context.ts'
import { loadSettings, settingsProblems } from '../test-settings.ts'
import { ipRestrictionPolicy } from './policy.ts'

const env = { configDir: '.', routeName: 'test' }

function guard(raw: unknown): (clientIp: string, headers?: Record<string, string>) => 'pass' | 'forbidden' {
  const onRequest = ipRestrictionPolicy.create(loadSettings(ipRestrictionPolicy, raw), env).onRequest
  assert.ok(onRequest)
  return (clientIp, headers = {}) => {
    const ctx: RequestContext = makeTestContext({ clientIp, headers })
    try {
      onRequest(ctx)
      return 'pass'
    } catch (error) {
      assert.ok(error instanceof GatehouseError)
      assert.equal(error.code, 'GH_ERR_IP_FORBIDDEN')
      assert.equal(error.status, 403)
      return 'forbidden'
    }
  }
}

describe('ip-restriction settings', () => {
  it('requires at least one non-empty list', () => {
    assert.deepEqual(settingsProblems(ipRestrictionPolicy, {}), ['allow, deny: list at least one address or CIDR block in one of them'])
    assert.deepEqual(settingsProblems(ipRestrictionPolicy, { allow: [], deny: [] }), ['allow, deny: list at least one address or CIDR block in one of them'])
  })

  it('names each invalid entry with its list and index', () => {
    const problems = settingsProblems(ipRestrictionPolicy, { allow: ['10.0.0.0/8', '10.0.0.0/33', 'example.com'], deny: ['2001:db8::/129', 'fe80::1%eth0', '1.2.3.4/x'] })
    assert.deepEqual(problems, [
      "allow[1]: '10.0.0.0/33' prefix length must be a whole number from 0 to 32 for IPv4",
      "allow[2]: 'example.com' is not an IPv4 or IPv6 address or CIDR block",
      "deny[0]: '2001:db8::/129' prefix length must be a whole number from 0 to 128 for IPv6",
      "deny[1]: 'fe80::1%eth0' zone identifiers (%…) are not supported",
      "deny[2]: '1.2.3.4/x' prefix length must be a whole number from 0 to 32 for IPv4",
    ])
  })

  it('rejects unknown fields and non-string entries through the schema', () => {
    assert.equal(settingsProblems(ipRestrictionPolicy, { allow: ['10.0.0.1'], block: ['1.1.1.1'] }).length, 1)
    assert.equal(settingsProblems(ipRestrictionPolicy, { allow: [10] }).length, 1)
  })

  it('create() refuses invalid settings even if check() was skipped', () => {
    assert.throws(() => ipRestrictionPolicy.create({ allow: ['300.1.1.1'], deny: [] }, env), { code: 'GH_ERR_CONFIG_INVALID' })
  })
})

describe('ip-restriction onRequest', () => {
  it('with an allow list, passes only matching IPv4 and IPv6 clients', () => {
    const check = guard({ allow: ['10.0.0.0/8', '192.0.2.7', '2001:db8::/32'] })
    assert.equal(check('10.200.3.4'), 'pass')
    assert.equal(check('192.0.2.7'), 'pass')
    assert.equal(check('2001:db8:1::5'), 'pass')
    assert.equal(check('192.0.2.8'), 'forbidden')
    assert.equal(check('11.0.0.1'), 'forbidden')
    assert.equal(check('2001:db9::1'), 'forbidden')
  })

  it('with only a deny list, refuses matching clients and passes the rest', () => {
    const check = guard({ deny: ['203.0.113.0/24', '::1'] })
    assert.equal(check('203.0.113.50'), 'forbidden')
    assert.equal(check('::1'), 'forbidden')
    assert.equal(check('198.51.100.1'), 'pass')
    assert.equal(check('2001:db8::1'), 'pass')
  })

  it('deny wins over allow', () => {
    const check = guard({ allow: ['10.0.0.0/8'], deny: ['10.1.0.0/16'] })
    assert.equal(check('10.2.0.1'), 'pass')
    assert.equal(check('10.1.0.1'), 'forbidden')
  })

  it('matches IPv4-mapped IPv6 clients against IPv4 rules, and mapped rules against IPv4 clients', () => {
    const allowV4 = guard({ allow: ['10.0.0.0/8'] })
    assert.equal(allowV4('::ffff:10.0.0.1'), 'pass')
    assert.equal(allowV4('::ffff:11.0.0.1'), 'forbidden')
    const denyV4 = guard({ deny: ['10.0.0.1'] })
    assert.equal(denyV4('::ffff:10.0.0.1'), 'forbidden')
    const allowMapped = guard({ allow: ['::ffff:192.0.2.0/120'] })
    assert.equal(allowMapped('192.0.2.9'), 'pass')
    assert.equal(allowMapped('192.0.3.9'), 'forbidden')
  })

  it('applies deny rules to link-local clients that carry a zone identifier', () => {
    const check = guard({ deny: ['fe80::/10'] })
    assert.equal(check('fe80::1%eth0'), 'forbidden')
  })

  it('fails closed on a client address it cannot parse, even with only a deny list', () => {
    const check = guard({ deny: ['203.0.113.0/24'] })
    assert.equal(check(''), 'forbidden')
    assert.equal(check('not-an-ip'), 'forbidden')
  })

  it('SMUG-13 / RATE-06: spoofed forwarding headers do not change the decision', () => {
    const spoofed = { 'x-forwarded-for': '10.0.0.1', 'x-real-ip': '10.0.0.1', forwarded: 'for=10.0.0.1' }
    const allowInternal = guard({ allow: ['10.0.0.0/8'] })
    assert.equal(allowInternal('203.0.113.9', spoofed), 'forbidden')
    const denyAttacker = guard({ deny: ['203.0.113.0/24'] })
    assert.equal(denyAttacker('203.0.113.9', spoofed), 'forbidden')
    // And the other way round: a trusted client is not locked out by a header naming a denied address.
    const denyInternal = guard({ deny: ['10.0.0.0/8'] })
    assert.equal(denyInternal('198.51.100.4', spoofed), 'pass')
  })
})
