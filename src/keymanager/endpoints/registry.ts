// The client registry API in light-oauth2's shape, under <basePath>:
//   POST   /client          register → 201 with clientSecret (shown this once)
//   GET    /client?limit&cursor   page of clients → { clients, next }
//   GET    /client/{id}     one client (never its secret)
//   PUT    /client/{id}     replace its settings
//   DELETE /client/{id}     → 204
//   POST   /client/{id}/secret   rotate its secret: the new one shown once, the old one accepted
//                                for { "overlapSeconds": N } more (default 3600)
//   POST   /user            create a password-grant user → 201
// Every call needs `Authorization: Bearer <adminToken>`. Errors are problem documents.
import { createHash, timingSafeEqual } from 'node:crypto'
import type { IncomingMessage, ServerResponse } from 'node:http'
import { GatehouseError } from '../../core/errors/gatehouse-error.ts'
import { sendProblem, toGatehouseError } from '../../core/errors/problem.ts'
import { StoreConflictError, StoreInputError } from '../../store/errors.ts'
import { parseClientInput } from '../clients/client-input.ts'
import { clientView, registerClient, registerUser, replaceClient, type RegistryDeps, type UserInput } from '../clients/registry.ts'
import { parseRotationInput, rotateClientSecret } from '../clients/rotate-secret.ts'
import { BodyTooLargeError, bodyLeftUnread, declaresBody, mediaTypeOf, readBody } from '../http/read-body.ts'
import { NO_STORE, sendEmpty, sendJson } from '../http/respond.ts'
import type { KeyManagerServices } from '../services.ts'

const MAX_JSON_BYTES = 64 * 1024
const DEFAULT_PAGE = 20
const MAX_PAGE = 100
const SECRET_PATH = /^\/client\/([^/]+)\/secret$/

export class Registry {
  readonly #services: KeyManagerServices
  readonly #deps: RegistryDeps
  readonly #tokenDigest: Buffer

  constructor(services: KeyManagerServices) {
    this.#services = services
    this.#deps = { store: services.store, hasher: services.hasher, now: services.now }
    this.#tokenDigest = sha256(services.config.adminToken)
  }

  /** `rest`: the path below basePath, e.g. `/client/abc`. */
  async handle(req: IncomingMessage, res: ServerResponse, expectContinue: boolean, rest: string): Promise<void> {
    try {
      this.#authorize(req)
      const secretOf = SECRET_PATH.exec(rest)
      if (rest === '/client') await this.#collection(req, res, expectContinue)
      else if (rest === '/user') await this.#users(req, res, expectContinue)
      else if (secretOf !== null) await this.#rotateSecret(req, res, expectContinue, decodeId(secretOf[1]))
      else await this.#item(req, res, expectContinue, decodeId(rest.slice('/client/'.length)))
    } catch (error) {
      if (!(error instanceof GatehouseError)) this.#services.log('error', 'client registry request failed', { error: String((error as Error)?.stack ?? error) })
      // A body left unread (refused before reading it) is not worth receiving: close instead.
      sendProblem(res, asProblem(error), undefined, bodyLeftUnread(req))
    }
  }

  // Both sides are hashed first, so the comparison has a fixed length and takes the same time
  // wherever a wrong token differs.
  #authorize(req: IncomingMessage): void {
    const header = req.headers.authorization ?? ''
    const token = /^bearer /i.test(header) ? header.slice(7).trim() : null
    if (token === null || !timingSafeEqual(sha256(token), this.#tokenDigest)) {
      throw new GatehouseError('GH_ERR_ADMIN_UNAUTHORIZED', 'the client registry needs Authorization: Bearer <keyManager.adminToken>', { headers: { 'www-authenticate': 'Bearer realm="gatehouse-registry"' } })
    }
  }

  async #collection(req: IncomingMessage, res: ServerResponse, expectContinue: boolean): Promise<void> {
    if (req.method === 'POST') {
      const input = parseClientInput(await readJson(req, res, expectContinue), this.#services.config.tokens.accessTokenTtlSeconds)
      const { record, secret } = await registerClient(this.#deps, input)
      sendJson(res, 201, { ...clientView(record), ...(secret === null ? {} : { clientSecret: secret }) }, { ...NO_STORE, location: `${this.#services.config.basePath}/client/${encodeURIComponent(record.clientId)}` })
      return
    }
    allow(req, ['GET', 'POST'])
    const query = new URLSearchParams((req.url ?? '').split('?')[1] ?? '')
    const limitText = query.get('limit')
    const limit = limitText === null ? DEFAULT_PAGE : Number(limitText)
    if (!Number.isSafeInteger(limit) || limit < 1 || limit > MAX_PAGE) throw new GatehouseError('GH_ERR_BAD_REQUEST', `limit: must be a whole number from 1 to ${MAX_PAGE}`)
    const page = await this.#services.store.listClients({ limit, cursor: query.get('cursor') })
    sendJson(res, 200, { clients: page.items.map(clientView), next: page.next }, NO_STORE)
  }

  async #item(req: IncomingMessage, res: ServerResponse, expectContinue: boolean, clientId: string): Promise<void> {
    const notFound = new GatehouseError('GH_ERR_ADMIN_NOT_FOUND', 'no client has this id')
    if (req.method === 'GET') {
      const record = await this.#services.store.getClient(clientId)
      if (record === null) throw notFound
      sendJson(res, 200, clientView(record), NO_STORE)
    } else if (req.method === 'PUT') {
      const body = await readJson(req, res, expectContinue)
      const given = (body as { clientId?: unknown } | null)?.clientId
      if (given !== undefined && given !== clientId) throw new GatehouseError('GH_ERR_BAD_REQUEST', 'clientId: differs from the client in the URL')
      const replaced = await replaceClient(this.#deps, clientId, parseClientInput(body, this.#services.config.tokens.accessTokenTtlSeconds))
      if (replaced === null) throw notFound
      sendJson(res, 200, { ...clientView(replaced.record), ...(replaced.secret === null ? {} : { clientSecret: replaced.secret }) }, NO_STORE)
    } else if (req.method === 'DELETE') {
      if (!await this.#services.store.deleteClient(clientId)) throw notFound
      sendEmpty(res, 204, NO_STORE)
    } else {
      allow(req, ['GET', 'PUT', 'DELETE'])
    }
  }

  async #rotateSecret(req: IncomingMessage, res: ServerResponse, expectContinue: boolean, clientId: string): Promise<void> {
    allow(req, ['POST'])
    // The body is optional: a bare POST rotates with the default overlap.
    const input = parseRotationInput(declaresBody(req) ? await readJson(req, res, expectContinue) : undefined)
    const rotated = await rotateClientSecret(this.#deps, clientId, input)
    if (rotated === null) throw new GatehouseError('GH_ERR_ADMIN_NOT_FOUND', 'no client has this id')
    this.#services.log('info', 'client secret rotated', { clientId, overlapSeconds: input.overlapSeconds })
    sendJson(res, 200, { ...clientView(rotated.record), clientSecret: rotated.secret }, NO_STORE)
  }

  async #users(req: IncomingMessage, res: ServerResponse, expectContinue: boolean): Promise<void> {
    allow(req, ['POST'])
    const body = await readJson(req, res, expectContinue)
    if (typeof body !== 'object' || body === null || Array.isArray(body)) throw new GatehouseError('GH_ERR_BAD_REQUEST', 'body: must be a JSON object with username and password')
    const user = await registerUser(this.#deps, body as UserInput, this.#services.config.passwordHashing)
    sendJson(res, 201, { userId: user.userId, scope: user.scopes.join(' '), createDt: new Date(user.createdAt * 1000).toISOString() }, NO_STORE)
  }
}

function allow(req: IncomingMessage, methods: string[]): void {
  if (!methods.includes(req.method ?? '')) {
    throw new GatehouseError('GH_ERR_BAD_REQUEST', `method ${req.method ?? ''} is not allowed here; use ${methods.join(', ')}`, { headers: { allow: methods.join(', ') } })
  }
}

async function readJson(req: IncomingMessage, res: ServerResponse, expectContinue: boolean): Promise<unknown> {
  if (mediaTypeOf(req) !== 'application/json') throw new GatehouseError('GH_ERR_BAD_REQUEST', 'body: must be application/json')
  let body: Buffer
  try {
    body = await readBody(req, res, expectContinue, MAX_JSON_BYTES)
  } catch (error) {
    if (error instanceof BodyTooLargeError) throw new GatehouseError('GH_ERR_BODY_TOO_LARGE', error.message, { headers: { connection: 'close' } })
    throw error
  }
  try {
    return JSON.parse(body.toString('utf8'))
  } catch {
    throw new GatehouseError('GH_ERR_BAD_REQUEST', 'body: is not valid JSON')
  }
}

function asProblem(error: unknown): GatehouseError {
  if (error instanceof StoreConflictError) return new GatehouseError('GH_ERR_STORE_CONFLICT', error.message)
  if (error instanceof StoreInputError) return new GatehouseError('GH_ERR_BAD_REQUEST', error.message.replace(/^listClients: /, ''))
  return toGatehouseError(error)
}

function decodeId(text: string): string {
  try {
    return decodeURIComponent(text)
  } catch {
    throw new GatehouseError('GH_ERR_ADMIN_NOT_FOUND', 'no client has this id')
  }
}

function sha256(text: string): Buffer {
  return createHash('sha256').update(text, 'utf8').digest()
}
