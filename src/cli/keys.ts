// `gatehouse keys rotate`: creates the next signing key in the key manager's store. By default it
// is published now and signs after `signing.publishAheadSeconds`, so verifiers that cache the JWKS
// learn it first; `--now` makes it sign at once (after a key compromise). Running gateways re-read
// their keys every 10 s, and publish and sign with the new one from then on.
import { KeyRing } from '../keymanager/keys/key-ring.ts'
import { DEFAULT_KEYS_REFRESH_MS } from '../keymanager/keys-freshness.ts'
import { describeFailure, openOffline, type OfflineKeyManager } from '../keymanager/offline.ts'
import type { CommandSpec } from './args.ts'

const USAGE = 'gatehouse keys rotate [--now] [--config gatehouse.yaml]'

export const keysCommand: CommandSpec = {
  name: 'keys',
  summary: 'Rotate the key manager\'s token signing key',
  usage: USAGE,
  options: {
    config: { type: 'string', short: 'c', default: 'gatehouse.yaml' },
    now: { type: 'boolean', default: false },
  },
  async run(values, positionals) {
    if (positionals[0] !== 'rotate' || positionals.length !== 1) {
      console.error(`gatehouse keys: give the rotate action\n\nUsage: ${USAGE}`)
      return 2
    }
    let offline: OfflineKeyManager | undefined
    try {
      offline = await openOffline(values.config as string)
      const { signing, tokens } = offline.config
      const ring = await KeyRing.open(offline.store, {
        algorithm: signing.algorithm,
        rotationPeriodSeconds: signing.rotationDays * 86_400,
        publishAheadSeconds: signing.publishAheadSeconds,
        maxTokenLifetimeSeconds: tokens.accessTokenTtlSeconds,
      })
      const key = await ring.rotate(values.now === true ? { publishAheadSeconds: 0 } : {})
      const when = key.activatesAt <= Date.now() / 1000 ? 'now' : `at ${new Date(key.activatesAt * 1000).toISOString()}`
      console.log(`new ${key.algorithm} signing key ${key.kid}: published now, signs ${when}; running gateways take it up within ${DEFAULT_KEYS_REFRESH_MS / 1000} s`)
      return 0
    } catch (error) {
      console.error(`gatehouse keys rotate: ${describeFailure(error)}`)
      return 1
    } finally {
      await offline?.store.close()
    }
  },
}
