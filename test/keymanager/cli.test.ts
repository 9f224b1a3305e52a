// `gatehouse clients | users | keys` as an operator runs them: child processes working on the
// same SQLite store (and pepper) as a running key manager.
import assert from 'node:assert/strict'
import { spawn } from 'node:child_process'
import { writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { DatabaseSync } from 'node:sqlite'
import { after, before, describe, test } from 'node:test'
import { BIN, runCli } from '../helpers/cli.ts'
import { startAuthServer, type AuthServer } from './auth-server-kit.ts'

/** Runs the CLI with `input` on standard input. */
function runWithInput(args: string[], input: string): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [BIN, ...args], { stdio: ['pipe', 'pipe', 'pipe'] })
    let stdout = ''
    let stderr = ''
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk))
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk))
    child.on('error', reject)
    child.on('close', (code) => resolve({ code, stdout, stderr }))
    child.stdin.end(input)
  })
}

describe('key manager CLI commands', () => {
  let server: AuthServer
  let config: string
  before(async () => {
    server = await startAuthServer({ maintenanceIntervalMs: 100 })
    config = server.configFile
  })
  after(() => server.close())

  test('clients create prints the id and the secret once; the running server accepts them', async () => {
    const result = await runCli(['clients', 'create', '--config', config, '--name', 'CLI app', '--scope', 'read write', '--grant', 'client_credentials'])
    assert.equal(result.code, 0, result.stderr)
    const clientId = /^clientId:\s+(\S+)$/m.exec(result.stdout)?.[1] as string
    const clientSecret = /^clientSecret:\s+(\S+)$/m.exec(result.stdout)?.[1] as string
    assert.ok(clientId !== undefined && clientSecret !== undefined, result.stdout)
    const token = await server.post('token', { grant_type: 'client_credentials', scope: 'write' }, { clientId, clientSecret })
    assert.deepEqual([token.status, token.json.scope], [200, 'write'])
    const listed = await runCli(['clients', 'list', '--config', config])
    assert.equal(listed.code, 0, listed.stderr)
    assert.match(listed.stdout, new RegExp(`^${clientId}  confidential  client_secret_basic  client_credentials  scope="read write"  CLI app$`, 'm'))
    assert.equal(listed.stdout.includes(clientSecret), false)
    const deleted = await runCli(['clients', 'delete', clientId, '--config', config])
    assert.equal(deleted.code, 0, deleted.stderr)
    assert.equal((await server.post('token', { grant_type: 'client_credentials' }, { clientId, clientSecret })).status, 401)
    const again = await runCli(['clients', 'delete', clientId, '--config', config])
    assert.equal(again.code, 1)
    assert.match(again.stderr, /no client has the id/)
  })

  test('clients create --json, and a bad registration exits 1 naming the field', async () => {
    const json = await runCli(['clients', 'create', '--config', config, '--name', 'json app', '--scope', 'read', '--json'])
    assert.equal(json.code, 0, json.stderr)
    const shown = JSON.parse(json.stdout) as Record<string, unknown>
    assert.equal(typeof shown.clientSecret, 'string')
    const bad = await runCli(['clients', 'create', '--config', config, '--name', 'x', '--scope', 'read', '--grant', 'implicit'])
    assert.equal(bad.code, 1)
    assert.match(bad.stderr, /grantTypes: "implicit" is not one of/)
    const missing = await runCli(['clients', 'create', '--config', config, '--name', 'x'])
    assert.equal(missing.code, 2)
  })

  test('KEY-07: clients rotate-secret prints the new secret once; the running server takes both until the overlap ends', async () => {
    const old = await server.register({ scope: 'read' })
    const status = async (clientSecret: string): Promise<number> => (await server.post('token', { grant_type: 'client_credentials' }, { clientId: old.clientId, clientSecret })).status
    const result = await runCli(['clients', 'rotate-secret', old.clientId, '--overlap', '600', '--config', config])
    assert.equal(result.code, 0, result.stderr)
    const secret = /^clientSecret:\s+(\S+)$/m.exec(result.stdout)?.[1] as string
    assert.match(secret, /^[A-Za-z0-9_-]{43}$/, result.stdout)
    const until = /old secret is accepted until (\S+);/.exec(result.stdout)?.[1] as string
    assert.ok(Math.abs(Date.parse(until) / 1000 - (Date.now() / 1000 + 600)) <= 5, result.stdout)
    assert.equal(result.stdout.includes(old.clientSecret), false)
    assert.deepEqual([await status(secret), await status(old.clientSecret)], [200, 200])

    const now = await runCli(['clients', 'rotate-secret', old.clientId, '--overlap', '0', '--json', '--config', config])
    assert.equal(now.code, 0, now.stderr)
    const shown = JSON.parse(now.stdout) as Record<string, unknown>
    assert.equal(shown.previousSecretExpiresDt, null)
    assert.deepEqual([await status(shown.clientSecret as string), await status(secret), await status(old.clientSecret)], [200, 401, 401])
  })

  test('KEY-07: clients rotate-secret refuses a bad --overlap (2), an unknown id or a client without a secret (1)', async () => {
    const app = await server.register({ scope: 'read' })
    for (const overlap of ['-5', 'soon', '1.5', String(30 * 86_400 + 1)]) {
      const bad = await runCli(['clients', 'rotate-secret', app.clientId, `--overlap=${overlap}`, '--config', config])
      assert.equal(bad.code, 2, overlap)
      assert.match(bad.stderr, /--overlap .*must be a whole number of seconds from 0 to 2592000/)
    }
    const unknown = await runCli(['clients', 'rotate-secret', 'no-such-client', '--config', config])
    assert.equal(unknown.code, 1)
    assert.match(unknown.stderr, /no client has the id "no-such-client"/)
    const spa = await server.register({ clientType: 'public', scope: 'read', grantTypes: ['refresh_token'] })
    const keyless = await runCli(['clients', 'rotate-secret', spa.clientId, '--config', config])
    assert.equal(keyless.code, 1)
    assert.match(keyless.stderr, /uses none, which has no secret to rotate/)
    assert.equal((await runCli(['clients', 'rotate-secret', '--config', config])).code, 2, 'no client id')
    assert.equal((await server.post('token', { grant_type: 'client_credentials' }, app)).status, 200, 'nothing was rotated')
    const help = await runCli(['clients', '--help'])
    assert.equal(help.code, 0)
    assert.match(help.stdout, /gatehouse clients rotate-secret <clientId> \[--overlap 3600\]/)
  })

  test('users create reads the password from standard input; the password grant then accepts it', async () => {
    const created = await runWithInput(['users', 'create', '--config', config, '--username', 'zoe', '--password-stdin'], 'zoe-password-1\n')
    assert.equal(created.code, 0, created.stderr)
    assert.match(created.stdout, /created user zoe/)
    const app = await server.register({ scope: 'read', grantTypes: ['password'] })
    const token = await server.post('token', { grant_type: 'password', username: 'zoe', password: 'zoe-password-1' }, app)
    assert.equal(token.status, 200, token.text)
    const duplicate = await runWithInput(['users', 'create', '--config', config, '--username', 'zoe'], 'another-password\n')
    assert.equal(duplicate.code, 1)
    assert.match(duplicate.stderr, /already exists/)
  })

  test('users create --password works but warns that argv is visible', async () => {
    const result = await runCli(['users', 'create', '--config', config, '--username', 'yann', '--password', 'yann-password-1'])
    assert.equal(result.code, 0, result.stderr)
    assert.match(result.stderr, /warning: --password puts the password in the process list/)
  })

  test('keys rotate --now: the server signs with the new key, and tokens of the old key stay valid', async () => {
    const app = await server.register({ scope: 'read' })
    const kidOf = (token: string): string => (JSON.parse(Buffer.from(token.split('.')[0], 'base64url').toString()) as { kid: string }).kid
    const before = (await server.post('token', { grant_type: 'client_credentials' }, app)).json.access_token as string
    const result = await runCli(['keys', 'rotate', '--now', '--config', config])
    assert.equal(result.code, 0, result.stderr)
    // "signs at <the next second>" when the server made its first key in the same second.
    const kid = /signing key (\S+): published now, signs (?:now|at \S+);/.exec(result.stdout)?.[1]
    assert.ok(kid !== undefined, result.stdout)
    let after = before
    for (let i = 0; i < 50 && kidOf(after) !== kid; i++) {
      await new Promise((resolve) => setTimeout(resolve, 100))
      after = (await server.post('token', { grant_type: 'client_credentials' }, app)).json.access_token as string
    }
    assert.equal(kidOf(after), kid, 'the server picked up the new key at its next maintenance')
    const published = ((await server.request('/oauth2/jwks')).json.keys as Array<{ kid: string }>).map((key) => key.kid)
    assert.ok(published.includes(kid) && published.includes(kidOf(before)), 'old and new key are both published')
    assert.equal((await server.post('introspect', { token: before }, app)).json.active, true)
  })

  test('a config without a key manager, or with a memory store, is refused with exit 1; a missing action is a usage error', async () => {
    const off = join(server.dir, 'off.yaml')
    await writeFile(off, 'listeners: [{ name: a, port: 8080 }]\n')
    const result = await runCli(['clients', 'list', '--config', off])
    assert.equal(result.code, 1)
    assert.match(result.stderr, /has no keyManager section/)
    const memory = join(server.dir, 'memory.yaml')
    await writeFile(memory, 'listeners: [{ name: a, port: 8080 }]\nkeyManager: { adminToken: admin-token-0123456789, store: { type: memory } }\n')
    assert.match((await runCli(['keys', 'rotate', '--config', memory])).stderr, /store is memory/)
    assert.equal((await runCli(['clients', '--config', config])).code, 2)
    assert.equal((await runCli(['users', 'create', '--config', config])).code, 2)
  })
})

describe('keys rotate --now reaches a running server without waiting for its maintenance', () => {
  let server: AuthServer
  before(async () => {
    // Maintenance an hour away: only the periodic re-read of the keys (at its 1 s floor) can pick the key up.
    server = await startAuthServer({ maintenanceIntervalMs: 3_600_000, keysRefreshIntervalMs: 200 })
  })
  after(() => server.close())

  test('the server signs with the new key within the re-read interval, and the CLI says when', async () => {
    const app = await server.register({ scope: 'read' })
    const kidOf = (token: string): string => (JSON.parse(Buffer.from(token.split('.')[0], 'base64url').toString()) as { kid: string }).kid
    const token = async (): Promise<string> => (await server.post('token', { grant_type: 'client_credentials' }, app)).json.access_token as string
    const before = await token()
    const result = await runCli(['keys', 'rotate', '--now', '--config', server.configFile])
    assert.equal(result.code, 0, result.stderr)
    // "signs at <the next second>" when the server made its first key in the same second.
    assert.match(result.stdout, /published now, signs (now|at \S+); running gateways take it up within 10 s/)
    const kid = /signing key (\S+):/.exec(result.stdout)?.[1] as string
    assert.notEqual(kid, kidOf(before))
    const started = Date.now()
    let after = before
    while (kidOf(after) !== kid && Date.now() - started < 3000) {
      await new Promise((resolve) => setTimeout(resolve, 100))
      after = await token()
    }
    assert.equal(kidOf(after), kid, `still signing with ${kidOf(after)} after ${Date.now() - started} ms`)
    assert.equal((await server.post('introspect', { token: before }, app)).json.active, true, 'tokens of the old key stay valid')
  })
})

describe('the periodic re-read of the signing keys when the store holds a key it cannot load', () => {
  test('logs the failure once per outage, goes on signing with the keys at hand, and logs the recovery', async () => {
    const events: string[] = []
    const server = await startAuthServer({ maintenanceIntervalMs: 3_600_000, keysRefreshIntervalMs: 200, log: (level, message) => void events.push(`${level}: ${message}`) })
    const db = new DatabaseSync(join(server.dir, '.gatehouse', 'gatehouse.db'))
    try {
      const app = await server.register({ scope: 'read' })
      const [{ kid, pem }] = db.prepare('SELECT kid, private_key_pem AS pem FROM signing_keys').all() as Array<{ kid: string; pem: string }>
      db.prepare('UPDATE signing_keys SET private_key_pem = ? WHERE kid = ?').run('-----BEGIN PRIVATE KEY-----\nbroken\n-----END PRIVATE KEY-----\n', kid)
      const failures = (): number => events.filter((event) => event === 'error: re-reading the signing keys failed; the keys at hand stay in use').length
      const waitFor = async (check: () => boolean): Promise<void> => {
        for (const started = Date.now(); !check(); await new Promise((resolve) => setTimeout(resolve, 50))) assert.ok(Date.now() - started < 3000, events.join('\n'))
      }
      await waitFor(() => failures() === 1)
      await new Promise((resolve) => setTimeout(resolve, 2300))
      assert.equal(failures(), 1, 'two more re-reads failed without another line')
      const issued = await server.post('token', { grant_type: 'client_credentials' }, app)
      assert.equal(issued.status, 200, issued.text)
      db.prepare('UPDATE signing_keys SET private_key_pem = ? WHERE kid = ?').run(pem, kid)
      await waitFor(() => events.includes('info: re-reading the signing keys works again'))
    } finally {
      db.close()
      await server.close()
    }
  })
})
