import type { UpstreamConfig } from '../../config/types.ts'
import { GatehouseError } from '../../core/errors/gatehouse-error.ts'

/**
 * Checks the parts of an upstream's config that balancing and health checking rely on. The
 * config schema enforces the same rules at load; repeating them here keeps a target set built
 * from any other source (tests, the admin API) from misbehaving silently, e.g. dividing by a
 * zero weight or probing every 0 ms.
 */
export function checkUpstreamConfig(config: UpstreamConfig): void {
  const at = `upstreams.${config.name}`
  if (!Array.isArray(config.targets) || config.targets.length === 0) fail(`${at}.targets`, 'must list at least one target')
  config.targets.forEach((target, i) => {
    if (!(Number.isFinite(target.weight) && target.weight > 0)) {
      fail(`${at}.targets[${i}].weight`, `must be a number greater than 0, got ${String(target.weight)}`)
    }
  })
  if (config.balancing !== 'round-robin' && config.balancing !== 'least-connections') {
    fail(`${at}.balancing`, `must be round-robin or least-connections, got ${String(config.balancing)}`)
  }
  const passive = config.healthCheck.passive
  wholeNumber(`${at}.healthCheck.passive.consecutiveFailures`, passive.consecutiveFailures, 0)
  wholeNumber(`${at}.healthCheck.passive.ejectMs`, passive.ejectMs, 0)
  const active = config.healthCheck.active
  if (active === undefined) return
  const activeAt = `${at}.healthCheck.active`
  // Visible ASCII only: the path goes into the request line as is.
  if (typeof active.path !== 'string' || !/^\/[\x21-\x7e]*$/.test(active.path)) {
    fail(`${activeAt}.path`, `must start with / and contain no spaces or control characters, got ${JSON.stringify(active.path)}`)
  }
  wholeNumber(`${activeAt}.intervalMs`, active.intervalMs, 1)
  wholeNumber(`${activeAt}.timeoutMs`, active.timeoutMs, 1)
  wholeNumber(`${activeAt}.healthyThreshold`, active.healthyThreshold, 1)
  wholeNumber(`${activeAt}.unhealthyThreshold`, active.unhealthyThreshold, 1)
  if (!Array.isArray(active.expectStatus) || active.expectStatus.length === 0) {
    fail(`${activeAt}.expectStatus`, 'must list at least one status code')
  }
  active.expectStatus.forEach((status, i) => {
    if (!Number.isInteger(status) || status < 100 || status > 599) {
      fail(`${activeAt}.expectStatus[${i}]`, `must be an HTTP status code (100-599), got ${String(status)}`)
    }
  })
}

function wholeNumber(where: string, value: number, min: number): void {
  if (!Number.isSafeInteger(value) || value < min) fail(where, `must be a whole number of at least ${min}, got ${String(value)}`)
}

function fail(where: string, message: string): never {
  throw new GatehouseError('GH_ERR_CONFIG_INVALID', `${where}: ${message}`)
}
