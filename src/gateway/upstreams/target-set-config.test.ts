import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import type { UpstreamConfig } from '../../config/types.ts'
import { GatehouseError } from '../../core/errors/gatehouse-error.ts'
import { TargetSet } from './target-set.ts'

function upstream(overrides: Partial<UpstreamConfig> = {}): UpstreamConfig {
  return {
    name: 'api',
    targets: [{ url: 'http://127.0.0.1:8080', weight: 1 }],
    balancing: 'round-robin',
    poolSize: 10,
    queueSize: 10,
    keepAliveMs: 1000,
    timeouts: { connectMs: 1000, headersMs: 1000, bodyMs: 1000 },
    retries: 1,
    healthCheck: { passive: { consecutiveFailures: 5, ejectMs: 30_000 } },
    ...overrides,
  }
}

const activeCheck = { path: '/health', intervalMs: 1000, timeoutMs: 500, healthyThreshold: 2, unhealthyThreshold: 3, expectStatus: [200] }

function rejects(config: UpstreamConfig, message: RegExp): void {
  assert.throws(() => new TargetSet(config), (err: unknown) => {
    assert.ok(err instanceof GatehouseError)
    assert.equal(err.code, 'GH_ERR_CONFIG_INVALID')
    assert.match(err.message, message)
    return true
  })
}

describe('target addresses', () => {
  it('derives id, host, port and Host header value from the URL', () => {
    const set = new TargetSet(upstream({
      targets: [
        { url: 'http://Backend.Example:80', weight: 1 },
        { url: 'http://backend.example:8080', weight: 2 },
        { url: 'http://[::1]:9000/', weight: 1 },
        { url: 'http://[::1]', weight: 1 },
      ],
    }))
    const seen = set.targets.map((t) => ({ id: t.id, host: t.host, port: t.port, authority: t.authority, weight: t.weight, upstream: t.upstream }))
    assert.deepEqual(seen, [
      { id: 'backend.example:80', host: 'backend.example', port: 80, authority: 'backend.example', weight: 1, upstream: 'api' },
      { id: 'backend.example:8080', host: 'backend.example', port: 8080, authority: 'backend.example:8080', weight: 2, upstream: 'api' },
      { id: '[::1]:9000', host: '::1', port: 9000, authority: '[::1]:9000', weight: 1, upstream: 'api' },
      { id: '[::1]:80', host: '::1', port: 80, authority: '[::1]', weight: 1, upstream: 'api' },
    ])
    assert.ok(Object.isFrozen(set.targets))
    assert.equal(set.name, 'api')
  })

  it('refuses URLs it cannot send to as written, naming the field', () => {
    const cases: Array<[string, RegExp]> = [
      ['not a url', /upstreams\.api\.targets\[0\]\.url: "not a url" is not a valid URL/],
      ['https://secure.example:443', /https targets are not supported yet/],
      ['ftp://files.example', /scheme must be http/],
      ['http://user:pw@backend.example', /must not contain credentials/],
      ['http://backend.example/api', /must not have a path, query or fragment/],
      ['http://backend.example/?x=1', /must not have a path, query or fragment/],
      ['http://backend.example:0', /port must be between 1 and 65535/],
    ]
    for (const [url, message] of cases) rejects(upstream({ targets: [{ url, weight: 1 }] }), message)
  })

  it('refuses the same target listed twice', () => {
    rejects(upstream({ targets: [{ url: 'http://a.example:81', weight: 1 }, { url: 'http://A.example:81/', weight: 1 }] }),
      /upstreams\.api\.targets\[1\]\.url: a\.example:81 is already targets\[0\]/)
  })
})

describe('upstream settings', () => {
  it('refuses an upstream without targets', () => {
    rejects(upstream({ targets: [] }), /upstreams\.api\.targets: must list at least one target/)
  })

  it('refuses weights that are not positive numbers', () => {
    for (const weight of [0, -1, Number.NaN, Number.POSITIVE_INFINITY]) {
      rejects(upstream({ targets: [{ url: 'http://a.example', weight }] }), /upstreams\.api\.targets\[0\]\.weight: must be a number greater than 0/)
    }
  })

  it('refuses an unknown balancing', () => {
    rejects(upstream({ balancing: 'random' as UpstreamConfig['balancing'] }), /upstreams\.api\.balancing: must be round-robin or least-connections, got random/)
  })

  it('refuses passive settings that are not whole numbers', () => {
    rejects(upstream({ healthCheck: { passive: { consecutiveFailures: -1, ejectMs: 1000 } } }), /healthCheck\.passive\.consecutiveFailures: must be a whole number of at least 0, got -1/)
    rejects(upstream({ healthCheck: { passive: { consecutiveFailures: 5, ejectMs: 1.5 } } }), /healthCheck\.passive\.ejectMs/)
  })

  it('refuses active check settings that would misbehave', () => {
    const passive = { consecutiveFailures: 5, ejectMs: 1000 }
    const cases: Array<[Partial<typeof activeCheck>, RegExp]> = [
      [{ path: 'health' }, /healthCheck\.active\.path: must start with \//],
      [{ path: '/health check' }, /healthCheck\.active\.path: must start with \/ and contain no spaces/],
      [{ path: '/h\r\nX-Injected: 1' }, /healthCheck\.active\.path/],
      [{ intervalMs: 0 }, /healthCheck\.active\.intervalMs: must be a whole number of at least 1, got 0/],
      [{ timeoutMs: 0 }, /healthCheck\.active\.timeoutMs/],
      [{ healthyThreshold: 0 }, /healthCheck\.active\.healthyThreshold/],
      [{ unhealthyThreshold: 0 }, /healthCheck\.active\.unhealthyThreshold/],
      [{ expectStatus: [] }, /healthCheck\.active\.expectStatus: must list at least one status code/],
      [{ expectStatus: [200, 700] }, /healthCheck\.active\.expectStatus\[1\]: must be an HTTP status code/],
    ]
    for (const [change, message] of cases) rejects(upstream({ healthCheck: { passive, active: { ...activeCheck, ...change } } }), message)
  })

  it('startActiveChecks and stop do nothing without an active check', () => {
    const set = new TargetSet(upstream())
    set.startActiveChecks()
    set.stop()
    assert.deepEqual(set.health(), [{ upstream: 'api', target: '127.0.0.1:8080', healthy: true }])
  })
})
