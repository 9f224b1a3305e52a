// The client registry API (light-oauth2 shape): CRUD, paging, the admin credential, and secrets
// that are shown once and never stored in plain text (KEY-01).
import assert from 'node:assert/strict'
import { stat } from 'node:fs/promises'
import { after, before, describe, test } from 'node:test'
import { dumpTables } from '../helpers/sqlite-dump.ts'
import { ADMIN_TOKEN, startAuthServer, type AuthServer } from './auth-server-kit.ts'

const ADMIN = { authorization: `Bearer ${ADMIN_TOKEN}`, 'content-type': 'application/json' }
const CLIENT = { clientType: 'confidential', clientProfile: 'service', clientName: 'Orders service', clientDesc: 'batch jobs', scope: 'orders.r orders.w', redirectUri: 'https://app.example/cb', ownerId: 'team-7' }

describe('client registry API', () => {
  let server: AuthServer
  const call = (method: string, path: string, body?: unknown, headers: Record<string, string> = ADMIN) =>
    server.request(`/oauth2${path}`, { method, headers, ...(body === undefined ? {} : { body: JSON.stringify(body) }) })
  before(async () => { server = await startAuthServer() })
  after(() => server.close())

  test('POST /client registers a client and shows its secret once; GET never shows it again', async () => {
    const created = await call('POST', '/client', CLIENT)
    assert.equal(created.status, 201, created.text)
    assert.equal(created.headers.get('cache-control'), 'no-store')
    const { clientId, clientSecret } = created.json as { clientId: string; clientSecret: string }
    assert.match(clientId, /^[0-9a-f-]{36}$/)
    assert.match(clientSecret, /^[A-Za-z0-9_-]{43}$/)
    assert.equal(created.headers.get('location'), `/oauth2/client/${clientId}`)
    assert.deepEqual({ ...created.json, clientId: 'x', clientSecret: 'x', createDt: 'x', updateDt: 'x' }, {
      ...CLIENT, clientId: 'x', clientSecret: 'x', defaultScope: 'orders.r orders.w', grantTypes: ['client_credentials'],
      authMethod: 'client_secret_basic', jwks: null, accessTokenTtl: null, previousSecretExpiresDt: null, createDt: 'x', updateDt: 'x',
    })
    const fetched = await call('GET', `/client/${clientId}`)
    assert.equal(fetched.status, 200)
    assert.equal('clientSecret' in fetched.json, false)
    assert.equal(fetched.text.includes(clientSecret), false)
    const listed = await call('GET', '/client')
    assert.equal(listed.text.includes(clientSecret), false)
    assert.equal(listed.text.includes('secretDigest'), false)
  })

  test('KEY-01: no client secret, password or refresh token is stored in plain text', async () => {
    const created = (await call('POST', '/client', { ...CLIENT, grantTypes: ['password', 'refresh_token'] })).json
    await server.createUser('dana', 'dana-secret-password')
    const tokens = (await server.post('token', { grant_type: 'password', username: 'dana', password: 'dana-secret-password' }, { clientId: created.clientId as string, clientSecret: created.clientSecret as string })).json
    assert.equal(typeof tokens.refresh_token, 'string')
    const path = (server.config.store as { path: string }).path
    const dump = dumpTables(path)
    assert.ok(dump.includes(created.clientId as string), 'the dump holds the client')
    for (const secret of [created.clientSecret, 'dana-secret-password', tokens.refresh_token]) assert.equal(dump.includes(secret as string), false)
    assert.match(dump, /scrypt\$1024\$8\$1\$/)
    assert.equal((await stat(`${path}.pepper`)).mode & 0o777, 0o600, 'the generated pepper is private')
  })

  test('401 without the admin token, with a wrong one, or with another scheme', async () => {
    for (const headers of [{ 'content-type': 'application/json' }, { ...ADMIN, authorization: 'Bearer wrong-token-0123456789' }, { ...ADMIN, authorization: `Basic ${ADMIN_TOKEN}` }]) {
      const answer = await call('POST', '/client', CLIENT, headers)
      assert.equal(answer.status, 401)
      assert.equal(answer.json.code, 'GH_ERR_ADMIN_UNAUTHORIZED')
      assert.match(answer.headers.get('www-authenticate') ?? '', /^Bearer/)
    }
    assert.equal((await call('GET', '/client', undefined, {})).status, 401)
    assert.equal((await call('POST', '/user', { username: 'x', password: 'long-enough' }, { 'content-type': 'application/json' })).status, 401)
  })

  test('PUT replaces the settings and keeps the secret; DELETE removes the client', async () => {
    const created = (await call('POST', '/client', CLIENT)).json
    const id = created.clientId as string
    const updated = await call('PUT', `/client/${id}`, { ...CLIENT, clientId: id, clientName: 'Renamed', scope: 'orders.r', createDt: created.createDt })
    assert.equal(updated.status, 200, updated.text)
    assert.deepEqual([updated.json.clientName, updated.json.scope, 'clientSecret' in updated.json], ['Renamed', 'orders.r', false])
    const token = await server.post('token', { grant_type: 'client_credentials' }, { clientId: id, clientSecret: created.clientSecret as string })
    assert.deepEqual([token.status, token.json.scope], [200, 'orders.r'])
    assert.equal((await call('DELETE', `/client/${id}`)).status, 204)
    assert.equal((await call('GET', `/client/${id}`)).status, 404)
    assert.equal((await call('DELETE', `/client/${id}`)).status, 404)
    assert.equal((await server.post('token', { grant_type: 'client_credentials' }, { clientId: id, clientSecret: created.clientSecret as string })).status, 401)
  })

  test('GET /client pages with limit and cursor, each client once', async () => {
    for (let i = 0; i < 5; i++) await call('POST', '/client', { ...CLIENT, clientName: `paged ${i}` })
    const seen: string[] = []
    let cursor: string | null = null
    let pages = 0
    do {
      const page = await call('GET', `/client?limit=2${cursor === null ? '' : `&cursor=${cursor}`}`)
      assert.equal(page.status, 200, page.text)
      const clients = page.json.clients as Array<{ clientId: string }>
      assert.ok(clients.length <= 2)
      seen.push(...clients.map((client) => client.clientId))
      cursor = page.json.next as string | null
      pages++
    } while (cursor !== null)
    assert.equal(new Set(seen).size, seen.length)
    assert.ok(seen.length >= 5 && pages >= 3, `${seen.length} clients in ${pages} pages`)
    assert.equal((await call('GET', '/client?limit=0')).status, 400)
    assert.equal((await call('GET', '/client?cursor=not-a-cursor!')).status, 400)
  })

  test('invalid registrations are 400 naming the field', async () => {
    const cases: Array<[Record<string, unknown>, RegExp]> = [
      [{ ...CLIENT, clientType: 'superuser' }, /^clientType:/],
      [{ ...CLIENT, scope: '' }, /^scope:/],
      [{ ...CLIENT, defaultScope: 'admin' }, /^defaultScope:/],
      [{ ...CLIENT, grantTypes: ['implicit'] }, /^grantTypes:/],
      [{ ...CLIENT, clientType: 'public', grantTypes: ['client_credentials'] }, /^grantTypes:/],
      [{ ...CLIENT, authMethod: 'private_key_jwt' }, /^jwks:/],
      [{ ...CLIENT, authMethod: 'private_key_jwt', jwks: { keys: [{ kty: 'oct', k: 'c2VjcmV0' }] } }, /^jwks:/],
      [{ ...CLIENT, redirectUri: 'not a url' }, /^redirectUri:/],
      [{ ...CLIENT, accessTokenTtl: 999_999 }, /^accessTokenTtl:/],
      [{ ...CLIENT, clientSecret: 'chosen-by-me' }, /^clientSecret: unknown field/],
    ]
    for (const [body, detail] of cases) {
      const answer = await call('POST', '/client', body)
      assert.equal(answer.status, 400, JSON.stringify(body))
      assert.equal(answer.json.code, 'GH_ERR_BAD_REQUEST')
      assert.match(answer.json.detail as string, detail)
    }
    const notJson = await server.request('/oauth2/client', { method: 'POST', headers: ADMIN, body: '{' })
    assert.equal(notJson.status, 400)
    const tooLarge = await call('POST', '/client', { ...CLIENT, clientDesc: 'x'.repeat(70 * 1024) })
    assert.equal(tooLarge.status, 413)
  })

  test('POST /user creates a user with a hashed password; a taken name is 409', async () => {
    const created = await call('POST', '/user', { username: 'erin', password: 'erin-password', scope: 'orders.r' })
    assert.equal(created.status, 201, created.text)
    assert.deepEqual([created.json.userId, created.json.scope, 'password' in created.json], ['erin', 'orders.r', false])
    const again = await call('POST', '/user', { username: 'erin', password: 'another-password' })
    assert.deepEqual([again.status, again.json.code], [409, 'GH_ERR_STORE_CONFLICT'])
    const short = await call('POST', '/user', { username: 'frank', password: 'short' })
    assert.deepEqual([short.status, short.json.code], [400, 'GH_ERR_BAD_REQUEST'])
  })

  test('a method a resource does not take is refused with Allow', async () => {
    const answer = await call('PATCH', '/client')
    assert.equal(answer.status, 400)
    assert.equal(answer.headers.get('allow'), 'GET, POST')
  })
})
