// Builds the lookup maps of the consumer directory from the config file's consumers and a store
// snapshot. Pure: no I/O, so the merge rules are tested on their own.
import { NAME_PATTERN } from '../config/schema-kit.ts'
import type { ConsumerConfig } from '../config/types.ts'
import type { KnownConsumer } from '../kit/consumers.ts'
import type { ConsumerSnapshot } from '../store/ports.ts'

export interface ConsumerMaps {
  /** API-key digest → consumer. */
  byDigest: Map<string, KnownConsumer>
  byClientId: Map<string, KnownConsumer>
  /** Store records that were left out, as messages naming ids only (never digests). */
  skipped: string[]
}

// The id goes upstream in a header: a store row written by other means must not carry CR/LF or
// anything else a header cannot hold, so only ids the config and the CLI accept are taken.
const CONSUMER_ID = new RegExp(NAME_PATTERN)

/**
 * The file's consumers win over the store's: a store consumer with a file consumer's id, a store
 * key equal to a file key and a store link for a client id the file names are left out (and
 * reported), so editing the file never loses to a stray row.
 */
export function buildConsumerMaps(fromConfig: readonly ConsumerConfig[], snapshot: ConsumerSnapshot | null): ConsumerMaps {
  const byDigest = new Map<string, KnownConsumer>()
  const byClientId = new Map<string, KnownConsumer>()
  const skipped: string[] = []
  const configIds = new Set<string>()
  for (const consumer of fromConfig) {
    configIds.add(consumer.id)
    const known: KnownConsumer = Object.freeze({ consumerId: consumer.id, status: consumer.status })
    for (const key of consumer.apiKeys) byDigest.set(key.digest, known)
    for (const clientId of consumer.clientIds) byClientId.set(clientId, known)
  }
  if (snapshot === null) return { byDigest, byClientId, skipped }

  const stored = new Map<string, KnownConsumer>()
  for (const consumer of snapshot.consumers) {
    if (configIds.has(consumer.consumerId)) {
      skipped.push(`store consumer "${consumer.consumerId}" is ignored: the config file defines a consumer with that id`)
    } else if (!CONSUMER_ID.test(consumer.consumerId)) {
      skipped.push('a store consumer is ignored: its id is not 1-64 letters, digits, ".", "_" or "-"')
    } else {
      stored.set(consumer.consumerId, Object.freeze({ consumerId: consumer.consumerId, status: consumer.status === 'active' ? 'active' : 'suspended' }))
    }
  }
  for (const key of snapshot.activeKeys) {
    const known = stored.get(key.consumerId)
    if (known === undefined) continue
    if (byDigest.has(key.digest)) skipped.push(`an API key of store consumer "${key.consumerId}" is ignored: the config file gives the same key to "${byDigest.get(key.digest)?.consumerId}"`)
    else byDigest.set(key.digest, known)
  }
  for (const link of snapshot.clientLinks) {
    const known = stored.get(link.consumerId)
    if (known === undefined) continue
    if (byClientId.has(link.clientId)) skipped.push(`client id "${link.clientId}" of store consumer "${link.consumerId}" is ignored: the config file gives it to "${byClientId.get(link.clientId)?.consumerId}"`)
    else byClientId.set(link.clientId, known)
  }
  return { byDigest, byClientId, skipped }
}
