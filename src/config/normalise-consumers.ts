// Turns `consumers` (schema-checked, defaults filled) into ConsumerConfig: every API key replaced by
// its HMAC-SHA-256 digest under the server pepper, so the loaded configuration never holds a key
// (the same digest SecretHasher computes, which the gateway's consumer directory compares against).
// Also checks what a schema cannot: ids, keys and client ids used twice.
import { createHmac, createSecretKey, type KeyObject } from 'node:crypto'
import { GatehouseError } from '../core/errors/gatehouse-error.ts'
import type { PathSegment } from './issues.ts'
import type { NormaliseContext } from './normalise.ts'
import { resolveSecretPepper } from './secret-pepper.ts'
import type { ConsumerConfig, KeyManagerConfig } from './types.ts'

const SECTION = 'consumers'
const DEFAULT_REFRESH_SECONDS = 5

/** `consumers[]` as written, defaults filled. */
export interface RawConsumer {
  id: string
  name?: string
  status: 'active' | 'suspended'
  apiKeys: Array<{ key: string; label?: string }>
  clientIds: string[]
}

export interface NormalisedConsumers {
  consumers: ConsumerConfig[]
  consumerRefreshSeconds: number
}

/** `keyManager` must be normalised already: it says where the pepper comes from. */
export function normaliseConsumers(
  raw: { consumers?: unknown; consumerRefreshSeconds?: unknown },
  keyManager: KeyManagerConfig | null,
  ctx: NormaliseContext,
): NormalisedConsumers {
  const refresh = typeof raw.consumerRefreshSeconds === 'number' ? raw.consumerRefreshSeconds : DEFAULT_REFRESH_SECONDS
  const entries = Array.isArray(raw.consumers) ? (raw.consumers as RawConsumer[]) : []
  const usable = entries.map((entry, index): [RawConsumer, number] => [entry, index]).filter(([, index]) => ctx.clean([SECTION, index]))
  const digest = usable.some(([entry]) => entry.apiKeys.length > 0) ? keyDigester(keyManager, ctx) : undefined

  const ids = new Map<string, number>()
  const clientIds = new Map<string, string>()
  const keys = new Map<string, string>()
  const consumers = usable.map(([entry, index]): ConsumerConfig => {
    const base: PathSegment[] = [SECTION, index]
    const issue = (path: PathSegment[], message: string): void => {
      ctx.issues.push({ code: 'GH_ERR_CONFIG_INVALID', path: [...base, ...path], message })
    }
    const first = ids.get(entry.id)
    if (first !== undefined) issue(['id'], `consumer id "${entry.id}" is already used by consumers[${first}]`)
    else ids.set(entry.id, index)
    entry.clientIds.forEach((clientId, at) => {
      const owner = clientIds.get(clientId)
      if (owner !== undefined && owner !== entry.id) issue(['clientIds', at], `client id "${clientId}" already belongs to consumer "${owner}"`)
      else clientIds.set(clientId, entry.id)
    })
    const apiKeys = entry.apiKeys.map((apiKey, at) => {
      const keyDigest = digest === undefined ? '' : digest(apiKey.key)
      // Named by position only: the message must not help anyone tell which key it is.
      const earlier = keys.get(keyDigest)
      if (keyDigest !== '' && earlier !== undefined) issue(['apiKeys', at, 'key'], `the same key is already given at ${earlier}`)
      else keys.set(keyDigest, `consumers[${index}].apiKeys[${at}]`)
      return { digest: keyDigest, label: apiKey.label ?? '' }
    })
    return { id: entry.id, name: entry.name ?? entry.id, status: entry.status, apiKeys, clientIds: [...entry.clientIds] }
  })
  return { consumers, consumerRefreshSeconds: refresh }
}

/** HMAC-SHA-256 (hex) under the server pepper; undefined (with an issue) when there is no pepper. */
function keyDigester(keyManager: KeyManagerConfig | null, ctx: NormaliseContext): ((key: string) => string) | undefined {
  let pepper: KeyObject
  try {
    pepper = createSecretKey(Buffer.from(resolveSecretPepper(keyManager), 'utf8'))
  } catch (error) {
    const message = error instanceof GatehouseError ? error.detail : 'the secret pepper cannot be loaded'
    ctx.issues.push({ code: 'GH_ERR_CONFIG_INVALID', path: [SECTION], message: `API keys cannot be digested: ${message}` })
    return undefined
  }
  return (key) => createHmac('sha256', pepper).update(key, 'utf8').digest('hex')
}
