// `gatehouse clients create | list | delete | rotate-secret`: the client registry from the command
// line, working on the key manager's store directly (a running gateway sees the changes at once).
import { readFile } from 'node:fs/promises'
import { parseClientInput } from '../keymanager/clients/client-input.ts'
import { clientView, registerClient, type RegistryDeps } from '../keymanager/clients/registry.ts'
import { DEFAULT_OVERLAP_SECONDS, parseRotationInput, rotateClientSecret } from '../keymanager/clients/rotate-secret.ts'
import { describeFailure, openOffline, type OfflineKeyManager } from '../keymanager/offline.ts'
import type { CommandSpec } from './args.ts'

const USAGE = `gatehouse clients create --name N --scope "a b" [--grant client_credentials,refresh_token] [--auth client_secret_basic]
                         [--type confidential] [--profile service] [--owner ID] [--description D] [--default-scope "a"]
                         [--jwks-file F] [--json] [--config gatehouse.yaml]
       gatehouse clients list [--limit 100] [--json] [--config gatehouse.yaml]
       gatehouse clients delete <clientId> [--config gatehouse.yaml]
       gatehouse clients rotate-secret <clientId> [--overlap ${DEFAULT_OVERLAP_SECONDS}] [--json] [--config gatehouse.yaml]
           new secret shown once; the old one is accepted for --overlap more seconds (0: stops now)`

export const clientsCommand: CommandSpec = {
  name: 'clients',
  summary: 'Register, list and delete the key manager\'s OAuth clients, and rotate their secrets',
  usage: USAGE,
  options: {
    config: { type: 'string', short: 'c', default: 'gatehouse.yaml' },
    name: { type: 'string' },
    scope: { type: 'string' },
    'default-scope': { type: 'string' },
    grant: { type: 'string' },
    auth: { type: 'string' },
    type: { type: 'string', default: 'confidential' },
    profile: { type: 'string', default: 'service' },
    owner: { type: 'string', default: 'cli' },
    description: { type: 'string' },
    'jwks-file': { type: 'string' },
    limit: { type: 'string', default: '100' },
    overlap: { type: 'string' },
    json: { type: 'boolean', default: false },
  },
  async run(values, positionals) {
    const [action, ...rest] = positionals
    if (action !== 'create' && action !== 'list' && action !== 'delete' && action !== 'rotate-secret') {
      console.error(`gatehouse clients: give an action: create, list, delete or rotate-secret\n\nUsage: ${USAGE}`)
      return 2
    }
    if ((action === 'delete' || action === 'rotate-secret') && rest.length !== 1) {
      console.error(`gatehouse clients ${action}: give exactly one client id\n\nUsage: ${USAGE}`)
      return 2
    }
    const overlapSeconds = action === 'rotate-secret' ? overlapOption(values.overlap) : DEFAULT_OVERLAP_SECONDS
    if (overlapSeconds === null) return 2
    let offline: OfflineKeyManager | undefined
    try {
      offline = await openOffline(values.config as string)
      if (action === 'create') return await create(offline, values)
      if (action === 'list') return await list(offline, values)
      if (action === 'rotate-secret') return await rotateSecret(offline, rest[0], overlapSeconds, values.json === true)
      if (!await offline.store.deleteClient(rest[0])) {
        console.error(`gatehouse clients delete: no client has the id ${JSON.stringify(rest[0])}`)
        return 1
      }
      console.log(`deleted client ${rest[0]}`)
      return 0
    } catch (error) {
      console.error(`gatehouse clients ${action}: ${describeFailure(error)}`)
      return 1
    } finally {
      await offline?.store.close()
    }
  },
}

async function create(offline: OfflineKeyManager, values: Record<string, unknown>): Promise<number> {
  if (values.name === undefined || values.scope === undefined) {
    console.error(`gatehouse clients create: --name and --scope are required\n\nUsage: ${USAGE}`)
    return 2
  }
  const body: Record<string, unknown> = {
    clientType: values.type,
    clientProfile: values.profile,
    clientName: values.name,
    clientDesc: values.description ?? '',
    scope: values.scope,
    ownerId: values.owner,
  }
  if (values['default-scope'] !== undefined) body.defaultScope = values['default-scope']
  if (values.grant !== undefined) body.grantTypes = (values.grant as string).split(',').map((grant) => grant.trim()).filter((grant) => grant !== '')
  if (values.auth !== undefined) body.authMethod = values.auth
  if (values['jwks-file'] !== undefined) body.jwks = await readFile(values['jwks-file'] as string, 'utf8')
  const input = parseClientInput(body, offline.config.tokens.accessTokenTtlSeconds)
  const { record, secret } = await registerClient(registryDeps(offline), input)
  if (values.json === true) {
    console.log(JSON.stringify({ ...clientView(record), ...(secret === null ? {} : { clientSecret: secret }) }, null, 2))
  } else {
    console.log(`clientId:     ${record.clientId}`)
    if (secret !== null) console.log(`clientSecret: ${secret}\n\nThe secret is shown this once and stored only as a digest; keep it now.`)
  }
  return 0
}

async function list(offline: OfflineKeyManager, values: Record<string, unknown>): Promise<number> {
  const pageSize = Number(values.limit)
  if (!Number.isSafeInteger(pageSize) || pageSize < 1) {
    console.error('gatehouse clients list: --limit must be a whole number of at least 1')
    return 2
  }
  const clients: Record<string, unknown>[] = []
  let cursor: string | null = null
  do {
    const page = await offline.store.listClients({ limit: Math.min(pageSize - clients.length, 100), cursor })
    clients.push(...page.items.map(clientView))
    cursor = page.next
  } while (cursor !== null && clients.length < pageSize)
  if (values.json === true) {
    console.log(JSON.stringify(clients, null, 2))
    return 0
  }
  if (clients.length === 0) console.log('no clients registered')
  for (const client of clients) {
    console.log([client.clientId, client.clientType, client.authMethod, (client.grantTypes as string[]).join(','), `scope="${String(client.scope)}"`, client.clientName].join('  '))
  }
  return 0
}

/** `--overlap` as whole seconds within the registry's bounds; null (after saying why) otherwise. */
function overlapOption(value: unknown): number | null {
  if (value === undefined) return DEFAULT_OVERLAP_SECONDS
  const seconds = /^\d{1,10}$/.test(value as string) ? Number(value) : Number.NaN
  try {
    return parseRotationInput({ overlapSeconds: seconds }).overlapSeconds
  } catch (error) {
    console.error(`gatehouse clients rotate-secret: --overlap ${JSON.stringify(value)}: ${describeFailure(error).replace(/^overlapSeconds: /, '')}`)
    return null
  }
}

async function rotateSecret(offline: OfflineKeyManager, clientId: string, overlapSeconds: number, json: boolean): Promise<number> {
  const rotated = await rotateClientSecret(registryDeps(offline), clientId, { overlapSeconds })
  if (rotated === null) {
    console.error(`gatehouse clients rotate-secret: no client has the id ${JSON.stringify(clientId)}`)
    return 1
  }
  const view = clientView(rotated.record)
  if (json) {
    console.log(JSON.stringify({ ...view, clientSecret: rotated.secret }, null, 2))
    return 0
  }
  console.log(`clientId:     ${clientId}`)
  console.log(`clientSecret: ${rotated.secret as string}`)
  const until = view.previousSecretExpiresDt === null ? 'The old secret is refused from now on.' : `The old secret is accepted until ${String(view.previousSecretExpiresDt)}; switch every instance of the client over before then.`
  console.log(`\n${until}\nThe new secret is shown this once and stored only as a digest; keep it now.`)
  return 0
}

function registryDeps(offline: OfflineKeyManager): RegistryDeps {
  return { store: offline.store, hasher: offline.hasher, now: () => Date.now() / 1000 }
}
