// `gatehouse consumers …`: consumers and their API keys in the key manager's store. Running
// gateways pick changes up within `consumerRefreshSeconds` (default 5 s).
import { ConfigError, formatConfigIssues } from '../config/issues.ts'
import {
  addApiKey, createConsumer, deleteConsumer, listConsumers, openConsumerAdmin, revokeApiKey, setConsumerStatus,
  type ConsumerAdmin, type ConsumerView,
} from '../consumers/admin.ts'
import { GatehouseError } from '../core/errors/gatehouse-error.ts'
import { StoreConflictError } from '../store/errors.ts'
import type { CommandSpec } from './args.ts'

const USAGE = `gatehouse consumers create <id> [--name N] [--client-id C …]   [--config gatehouse.yaml]
       gatehouse consumers list [--json]
       gatehouse consumers add-key <id> [--label L] [--json]       prints the new key once
       gatehouse consumers revoke-key <id> <keyId>
       gatehouse consumers suspend <id> | activate <id> | delete <id>`

const ARITY: Record<string, number> = { create: 1, list: 0, 'add-key': 1, 'revoke-key': 2, suspend: 1, activate: 1, delete: 1 }

export const consumersCommand: CommandSpec = {
  name: 'consumers',
  summary: 'Create, list, suspend and delete consumers; add and revoke their API keys',
  usage: USAGE,
  options: {
    config: { type: 'string', short: 'c', default: 'gatehouse.yaml' },
    name: { type: 'string' },
    'client-id': { type: 'string', multiple: true },
    label: { type: 'string' },
    json: { type: 'boolean', default: false },
  },
  async run(values, positionals) {
    const [action, ...args] = positionals
    if (action === undefined || !Object.hasOwn(ARITY, action)) {
      console.error(`gatehouse consumers: give an action: ${Object.keys(ARITY).join(', ')}\n\nUsage: ${USAGE}`)
      return 2
    }
    if (args.length !== ARITY[action]) {
      console.error(`gatehouse consumers ${action}: expected ${ARITY[action] === 2 ? 'a consumer id and a key id' : ARITY[action] === 1 ? 'one consumer id' : 'no arguments'}\n\nUsage: ${USAGE}`)
      return 2
    }
    let admin: ConsumerAdmin | undefined
    try {
      admin = await openConsumerAdmin(values.config as string)
      return await perform(admin, action, args, values)
    } catch (error) {
      console.error(`gatehouse consumers ${action}: ${describe(error)}`)
      return 1
    } finally {
      await admin?.store.close()
    }
  },
}

async function perform(admin: ConsumerAdmin, action: string, args: string[], values: Record<string, unknown>): Promise<number> {
  const json = values.json === true
  const [id] = args
  switch (action) {
    case 'create': {
      const consumer = await createConsumer(admin, id, { name: values.name as string | undefined, clientIds: values['client-id'] as string[] | undefined })
      console.log(`created consumer ${consumer.consumerId}; add a key with: gatehouse consumers add-key ${consumer.consumerId}`)
      return 0
    }
    case 'add-key': {
      const { key, keyId } = await addApiKey(admin, id, (values.label as string | undefined) ?? '')
      // The only time the key exists outside the client: the store keeps its digest alone.
      if (json) console.log(JSON.stringify({ consumerId: id, keyId, key }))
      else console.log(`API key for ${id} (key id ${keyId}):\n${key}\nStore it now: it cannot be shown again. Gateways accept it within ${admin.config.consumerRefreshSeconds} s.`)
      return 0
    }
    case 'revoke-key': {
      const revoked = await revokeApiKey(admin, id, args[1])
      console.log(`revoked key ${revoked.keyId} of ${id}; gateways refuse it within ${admin.config.consumerRefreshSeconds} s`)
      return 0
    }
    case 'suspend':
    case 'activate': {
      await setConsumerStatus(admin, id, action === 'suspend' ? 'suspended' : 'active')
      console.log(`${action === 'suspend' ? 'suspended' : 'activated'} consumer ${id}; gateways apply it within ${admin.config.consumerRefreshSeconds} s`)
      return 0
    }
    case 'delete':
      await deleteConsumer(admin, id)
      console.log(`deleted consumer ${id} with its keys; gateways refuse them within ${admin.config.consumerRefreshSeconds} s`)
      return 0
    default: {
      const consumers = await listConsumers(admin)
      console.log(json ? JSON.stringify(consumers) : consumers.map(render).join('\n') || 'no consumers')
      return 0
    }
  }
}

function render(consumer: ConsumerView): string {
  const lines = [`${consumer.id}  ${consumer.status}  ${JSON.stringify(consumer.name)}  (${consumer.source === 'file' ? 'config file' : 'store'})`]
  for (const key of consumer.keys) {
    const state = key.revokedAt !== null ? `revoked ${isoTime(key.revokedAt)}` : key.createdAt !== null ? `created ${isoTime(key.createdAt)}` : ''
    lines.push(`  key ${key.keyId}  ${key.label === '' ? '-' : JSON.stringify(key.label)}  ${state}`.trimEnd())
  }
  for (const clientId of consumer.clientIds) lines.push(`  client ${clientId}`)
  return lines.join('\n')
}

function isoTime(seconds: number): string {
  return new Date(seconds * 1000).toISOString()
}

function describe(error: unknown): string {
  if (error instanceof ConfigError) return formatConfigIssues(error.issues)
  if (error instanceof GatehouseError) return error.detail
  if (error instanceof StoreConflictError) return error.message
  throw error
}
