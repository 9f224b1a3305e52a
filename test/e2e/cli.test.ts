// The `gatehouse` command as an operator runs it: a child process per invocation.
import { test, describe, before, after } from 'node:test'
import assert from 'node:assert/strict'
import fs from 'node:fs/promises'
import { eventually, runCli, startCliGateway, tempDir } from '../helpers/cli.ts'
import { freePort } from '../helpers/ports.ts'
import { httpRequest } from '../helpers/http-client.ts'
import { startUpstream, type TestUpstream } from '../helpers/servers.ts'

const manifest = JSON.parse(await fs.readFile(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string }

const GOOD = `
listeners: [{ name: public, protocol: http, host: 127.0.0.1, port: 0 }]
admin: { host: 127.0.0.1, port: 0 }
upstreams:
  app: { targets: ['http://127.0.0.1:9'] }
routes:
  - name: a
    paths: [/a]
    upstream: app
`

// Line and column of each typo are asserted exactly, so keep this text's layout as it is.
const TYPOS = `listeners: [{ name: public, protocol: http, host: 127.0.0.1, port: 0 }]
admin: { host: 127.0.0.1, port: 0 }
upstreams:
  app: { targets: ['http://127.0.0.1:9'] }
routes:
  - name: a
    paths: [/a]
    upstream: app
  - name: b
    paths: [/b]
    upstream: app
    policies:
      rate_limt: { limit: 5 }
  - name: c
    path: /c
    stripPth: true
    upstream: app
`

describe('gatehouse validate', () => {
  let temp: Awaited<ReturnType<typeof tempDir>>
  before(async () => {
    temp = await tempDir('gatehouse-cli-')
    await fs.writeFile(temp.file('good.yaml'), GOOD)
    await fs.writeFile(temp.file('typos.yaml'), TYPOS)
  })
  after(() => temp?.remove())

  test('a valid file exits 0 and says so', async () => {
    const result = await runCli(['validate', 'good.yaml'], { cwd: temp.dir })
    assert.equal(result.code, 0, result.stderr)
    assert.match(result.stdout, /^good\.yaml: valid \(1 listeners, 1 upstreams, 1 routes\)$/m)
  })

  test('CFG-01: typo\'d keys exit 1 with file:line:col path: message (GH_ERR_CONFIG_UNKNOWN_FIELD) for each, at the exact position', async () => {
    const result = await runCli(['validate', 'typos.yaml'], { cwd: temp.dir })
    assert.equal(result.code, 1)
    const lines = result.stderr.trim().split('\n')
    assert.deepEqual(lines, [
      'typos.yaml:13:7 routes[1].policies.rate_limt: unknown policy "rate_limt" (GH_ERR_CONFIG_UNKNOWN_FIELD)',
      'typos.yaml:16:5 routes[2].stripPth: unknown field "stripPth" (did you mean "stripPath"?) (GH_ERR_CONFIG_UNKNOWN_FIELD)',
    ])
    assert.equal(result.stdout, '')
  })

  test('a file that does not exist exits 1 with GH_ERR_CONFIG_FILE', async () => {
    const result = await runCli(['validate', 'absent.yaml'], { cwd: temp.dir })
    assert.equal(result.code, 1)
    assert.match(result.stderr, /absent\.yaml.*\(GH_ERR_CONFIG_FILE\)/)
  })

  test('CFG-01: start on a bad file exits non-zero, prints the errors and never listens', async () => {
    const port = await freePort()
    await fs.writeFile(temp.file('bad-start.yaml'), TYPOS.replace('port: 0 }]', `port: ${port} }]`))
    const result = await runCli(['start', '--config', 'bad-start.yaml'], { cwd: temp.dir })
    assert.notEqual(result.code, 0)
    assert.match(result.stderr, /refusing to start/)
    assert.match(result.stderr, /bad-start\.yaml:13:7 routes\[1\]\.policies\.rate_limt: .*\(GH_ERR_CONFIG_UNKNOWN_FIELD\)/)
    assert.match(result.stderr, /bad-start\.yaml:16:5 routes\[2\]\.stripPth: .*\(GH_ERR_CONFIG_UNKNOWN_FIELD\)/)
    await assert.rejects(httpRequest(`http://127.0.0.1:${port}/a`, { timeoutMs: 1000 }), /ECONNREFUSED/)
  })
})

describe('gatehouse version, help and usage mistakes', () => {
  test('version prints the package version', async () => {
    const result = await runCli(['version'])
    assert.equal(result.code, 0)
    assert.equal(result.stdout.trim(), `gatehouse ${manifest.version} (node ${process.version})`)
  })

  test('--help on every command exits 0 and prints its usage', async () => {
    const commands = ['start', 'validate', 'reload', 'version', 'bench']
    const results = await Promise.all(commands.map((command) => runCli([command, '--help'])))
    results.forEach((result, i) => {
      assert.equal(result.code, 0, `${commands[i]} --help: ${result.stderr}`)
      assert.match(result.stdout, new RegExp(`gatehouse ${commands[i]}`), commands[i])
    })
    const overview = await runCli(['--help'])
    assert.equal(overview.code, 0)
    for (const command of commands) assert.match(overview.stdout, new RegExp(`^  ${command} `, 'm'))
  })

  test('an unknown command exits 2 and lists the commands', async () => {
    const result = await runCli(['strat'])
    assert.equal(result.code, 2)
    assert.match(result.stderr, /unknown command "strat"/)
    assert.match(result.stderr, /validate/)
  })

  test('an unknown option exits 2 with the usage line', async () => {
    const result = await runCli(['validate', '--strict'])
    assert.equal(result.code, 2)
    assert.match(result.stderr, /Usage: gatehouse validate/)
  })
})

describe('gatehouse start, reload, SIGHUP and SIGTERM', () => {
  let blue: TestUpstream
  let green: TestUpstream
  before(async () => {
    blue = await startUpstream((_req, res) => res.end('blue'))
    green = await startUpstream((_req, res) => res.end('green'))
  })
  after(async () => {
    await blue?.close()
    await green?.close()
  })

  const routeTo = (upstream: TestUpstream): string => `
upstreams: { app: { targets: ['${upstream.url}'] } }
routes:
  - { name: app, paths: [/], upstream: app }
`

  test('CFG-02: reload switches upstreams, a broken file changes nothing, SIGHUP reloads, SIGTERM exits 0', async () => {
    const gw = await startCliGateway(routeTo(blue))
    const body = async (): Promise<string> => (await httpRequest(`http://127.0.0.1:${gw.port}/x`)).body
    try {
      assert.equal(await body(), 'blue')

      await gw.rewrite(routeTo(green))
      const reloaded = await runCli(['reload', '--config', gw.configFile])
      assert.equal(reloaded.code, 0, reloaded.stderr)
      assert.match(reloaded.stdout, /reloaded: config version 2/)
      assert.equal(await body(), 'green')

      // Refused by the reload command itself: it reads the same file first.
      await gw.rewrite(`${routeTo(blue)}  - { name: extra, paths: [/e], upstream: app, stripPth: true }\n`)
      const broken = await runCli(['reload', '--config', gw.configFile])
      assert.equal(broken.code, 1)
      assert.match(broken.stderr, /gatehouse\.yaml:\d+:\d+ routes\[1\]\.stripPth: unknown field "stripPth".*\(GH_ERR_CONFIG_UNKNOWN_FIELD\)/)
      assert.equal(await body(), 'green', 'the old config keeps serving')

      // Refused by the gateway: the variable is set for the reload command but not in the gateway's
      // environment, so the running process sees a different (bad) file.
      await gw.rewrite(routeTo(blue).replace(blue.url, '${env:GATEHOUSE_E2E_TARGET}'))
      const refused = await runCli(['reload', '--config', gw.configFile], { env: { ...process.env, GATEHOUSE_E2E_TARGET: blue.url } })
      assert.equal(refused.code, 1)
      assert.match(refused.stderr, /reload refused \(400\)/)
      assert.match(refused.stderr, /GATEHOUSE_E2E_TARGET.*\(GH_ERR_CONFIG_ENV_MISSING\)/)
      assert.equal(await body(), 'green', 'the old config keeps serving')

      // SIGHUP with a broken file is logged and survived; with a good one it reloads.
      await gw.rewrite('routes: [oops')
      gw.child.kill('SIGHUP')
      const logged = (): string => gw.output().stdout + gw.output().stderr
      assert.ok(await eventually(async () => /"code":"GH_ERR_CONFIG_SYNTAX".*config reload refused/.test(logged()), 5000), `no refusal logged:\n${logged()}`)
      assert.equal(await body(), 'green')
      assert.equal(gw.child.exitCode, null, 'a bad SIGHUP reload stopped the process')
      await gw.rewrite(routeTo(blue))
      gw.child.kill('SIGHUP')
      assert.ok(await eventually(async () => (await body()) === 'blue', 5000), 'SIGHUP did not switch to the new upstream')

      gw.child.kill('SIGTERM')
      assert.equal(await gw.exited, 0, gw.output().stderr)
    } finally {
      await gw.cleanup()
    }
  })
})
