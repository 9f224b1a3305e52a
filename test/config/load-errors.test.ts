import assert from 'node:assert/strict'
import { after, before, describe, test } from 'node:test'
import { join, relative } from 'node:path'
import { formatConfigIssues, MAX_ISSUES_SHOWN } from '../../src/config/issues.ts'
import { loadConfigFile, parseConfigText } from '../../src/config/load.ts'
import { issuesOf, makeTempDir, MINIMAL, onlyIssue, yaml, type TempDir } from './config-test-kit.ts'

const OPTIONS = { env: {}, policies: {} }

describe('config errors', () => {
  let tmp: TempDir
  let file: string
  before(async () => {
    tmp = await makeTempDir()
    file = join(tmp.dir, 'gatehouse.yaml')
  })
  after(() => tmp.remove())
  const parse = (text: string) => () => parseConfigText(text, file, OPTIONS)

  test('a missing file is GH_ERR_CONFIG_FILE', async () => {
    const issues = await issuesOf(() => loadConfigFile(join(tmp.dir, 'absent.yaml'), OPTIONS))
    assert.deepEqual(issues, [{ code: 'GH_ERR_CONFIG_FILE', file: join(tmp.dir, 'absent.yaml'), path: '', message: 'file does not exist' }])
  })

  test('a directory instead of a file is GH_ERR_CONFIG_FILE', async () => {
    const [issue] = await issuesOf(() => loadConfigFile(tmp.dir, OPTIONS))
    assert.equal(issue.code, 'GH_ERR_CONFIG_FILE')
  })

  test('YAML syntax errors are GH_ERR_CONFIG_SYNTAX with line and column', async () => {
    const issues = await issuesOf(parse(yaml('listeners:', '  - name: main', '    port: [8080', 'admin: {}')))
    const issue = onlyIssue(issues, 'GH_ERR_CONFIG_SYNTAX')
    assert.deepEqual([issue.line, issue.column], [4, 1])
  })

  test('a duplicate key is a syntax error at the second key', async () => {
    const issue = onlyIssue(await issuesOf(parse(MINIMAL + yaml('workers: 2', 'workers: 3'))), 'GH_ERR_CONFIG_SYNTAX')
    assert.deepEqual([issue.line, issue.column], [5, 1])
  })

  test('CFG-01: a misspelt policies key is GH_ERR_CONFIG_UNKNOWN_FIELD at the key, with a suggestion', async () => {
    const text = MINIMAL + yaml(
      'upstreams: { u: { targets: [http://127.0.0.1:1] } }',
      'routes:',
      '  - path: /a',
      '    upstream: u',
      '    polices: {}',
    )
    const issue = onlyIssue(await issuesOf(parse(text)), 'GH_ERR_CONFIG_UNKNOWN_FIELD')
    assert.deepEqual(issue, { code: 'GH_ERR_CONFIG_UNKNOWN_FIELD', file, line: 8, column: 5, path: 'routes[0].polices', message: 'unknown field "polices" (did you mean "policies"?)' })
  })

  test('a type error points at the value', async () => {
    const issue = onlyIssue(await issuesOf(parse(yaml('listeners:', '  - name: main', '    port: "eighty"'))), 'GH_ERR_CONFIG_INVALID')
    assert.deepEqual([issue.line, issue.column, issue.path, issue.message], [3, 11, 'listeners[0].port', 'must be an integer'])
  })

  test('a missing required field points at its parent', async () => {
    const issue = onlyIssue(await issuesOf(parse(yaml('listeners:', '  - name: main'))), 'GH_ERR_CONFIG_INVALID')
    assert.deepEqual([issue.line, issue.column, issue.path, issue.message], [2, 5, 'listeners[0].port', 'is required'])
  })

  test('an empty file is refused', async () => {
    assert.equal(onlyIssue(await issuesOf(parse('# nothing yet\n')), 'GH_ERR_CONFIG_INVALID').message, 'the file is empty')
  })

  test('a route naming an unknown upstream is GH_ERR_CONFIG_REFERENCE', async () => {
    const text = MINIMAL + yaml('upstreams: { users: { targets: [http://127.0.0.1:1] } }', 'routes:', '  - { path: /a, upstream: user }')
    const issue = onlyIssue(await issuesOf(parse(text)), 'GH_ERR_CONFIG_REFERENCE')
    assert.equal(issue.path, 'routes[0].upstream')
    assert.match(issue.message, /upstream "user" is not defined.*did you mean "users"/)
  })

  test('ADM-07: target URLs must be plain http to a host, without a path', async () => {
    const targets = ['file:///etc/passwd', 'ftp://10.0.0.1', 'https://10.0.0.1', 'http://10.0.0.1/api', 'http://user:pw@10.0.0.1', 'not a url', 'http://10.0.0.1:8080']
    const text = MINIMAL + yaml('upstreams:', '  u:', '    targets:', ...targets.map((target) => `      - "${target}"`))
    const issues = await issuesOf(parse(text))
    assert.deepEqual(issues.map((issue) => issue.path), [0, 1, 2, 3, 4, 5].map((index) => `upstreams.u.targets[${index}]`))
    assert.deepEqual(issues.map((issue) => issue.line), [7, 8, 9, 10, 11, 12])
    assert.match(issues[0].message, /scheme "file" is not allowed/)
  })

  test('duplicate listener names, clashing ports and duplicate route names are GH_ERR_CONFIG_INVALID', async () => {
    const text = yaml(
      'listeners:',
      '  - { name: a, port: 8080 }',
      '  - { name: a, host: 127.0.0.1, port: 8080 }',
      '  - { name: c, port: 9876 }',
      'upstreams: { u: { targets: [http://127.0.0.1:1] } }',
      'routes:',
      '  - { name: r, path: /a, upstream: u }',
      '  - { name: r, path: /b, upstream: u }',
    )
    const messages = (await issuesOf(parse(text))).map((issue) => `${issue.path}: ${issue.message}`)
    assert.deepEqual(messages, [
      'listeners[1].name: listener name "a" is already used by listeners[0]',
      'listeners[1].port: listener "a" uses port 8080 on 127.0.0.1, already taken by listener "a" on 0.0.0.0',
      'listeners[2].port: listener "c" uses port 9876 on 0.0.0.0, already taken by the admin API on 127.0.0.1',
      'routes[1].name: route name "r" is already used by routes[0]',
    ])
  })

  test('unknown methods and bad trusted proxies are reported', async () => {
    const text = yaml(
      'listeners: [{ name: main, port: 0 }]',
      'forwarding: { trustedProxies: [10.0.0.0/33, example.com] }',
      'upstreams: { u: { targets: [http://127.0.0.1:1] } }',
      'routes: [{ path: /a, upstream: u, methods: [GET, FETCH] }]',
    )
    const paths = (await issuesOf(parse(text))).map((issue) => issue.path)
    assert.deepEqual(paths, ['forwarding.trustedProxies[0]', 'forwarding.trustedProxies[1]', 'routes[0].methods[1]'])
  })

  test('all issues of a file are reported together, in file order, one line each', async () => {
    const text = yaml(
      'workers: many',                                // 1: type/pattern
      'listeners:',
      '  - name: main',
      '    port: 70000',                              // 4: range
      'upstreams:',
      '  u:',
      '    targets: [http://127.0.0.1:1]',
      '    balancing: random',                        // 8: enum
      'routes:',
      '  - path: users',                              // 10: pattern
      '    upstream: nowhere',                        // 11: reference
      '    rate_limt: 5',                             // 12: unknown field
    )
    const issues = await issuesOf(parse(text))
    assert.deepEqual(issues.map((issue) => [issue.line, issue.code]), [
      [1, 'GH_ERR_CONFIG_INVALID'],
      [4, 'GH_ERR_CONFIG_INVALID'],
      [8, 'GH_ERR_CONFIG_INVALID'],
      [10, 'GH_ERR_CONFIG_INVALID'],
      [11, 'GH_ERR_CONFIG_REFERENCE'],
      [12, 'GH_ERR_CONFIG_UNKNOWN_FIELD'],
    ])
    const shown = relative(process.cwd(), file).startsWith('..') ? file : relative(process.cwd(), file)
    const lines = formatConfigIssues(issues).split('\n')
    assert.equal(lines.length, 6)
    assert.equal(lines[2], `${shown}:8:16 upstreams.u.balancing: must be one of: round-robin, least-connections (GH_ERR_CONFIG_INVALID)`)
    assert.equal(lines[5], `${shown}:12:5 routes[0].rate_limt: unknown field "rate_limt" (GH_ERR_CONFIG_UNKNOWN_FIELD)`)
  })

  test(`a file with thousands of problems: the text shows the first ${MAX_ISSUES_SHOWN} and counts the rest; the error keeps them all`, async () => {
    const routes = Array.from({ length: 1500 }, (_, i) => `  - { name: r${i}, paths: [/r${i}], upstream: nowhere }`)
    const text = yaml('listeners: [{ name: a, port: 1 }]', 'upstreams: { u: { targets: ["http://127.0.0.1:1"] } }', 'routes:', ...routes)
    const issues = await issuesOf(parse(text))
    assert.equal(issues.length, 1500)
    const lines = formatConfigIssues(issues).split('\n')
    assert.equal(lines.length, MAX_ISSUES_SHOWN + 1)
    assert.match(lines[0], /routes\[0\]\.upstream: .*nowhere.*\(GH_ERR_CONFIG_REFERENCE\)$/)
    assert.equal(lines[MAX_ISSUES_SHOWN], `… and ${1500 - MAX_ISSUES_SHOWN} more problems (1500 in all)`)
    const error = (() => {
      try {
        parse(text)()
      } catch (caught) {
        return caught as { extra?: { errors?: unknown[] } }
      }
      return undefined
    })()
    assert.equal(error?.extra?.errors?.length, 1500)
  })

  test('the file is shown relative to the working directory when inside it', async () => {
    const local = join(process.cwd(), 'gatehouse-test-relative.yaml')
    const [issue] = await issuesOf(() => parseConfigText('workers: 0\nlisteners: [{ name: a, port: 1 }]\n', local, OPTIONS))
    assert.equal(formatConfigIssues([issue]), 'gatehouse-test-relative.yaml:1:10 workers: must be >= 1 (GH_ERR_CONFIG_INVALID)')
  })

  test('a ConfigError carries the first issue code and the issues as problem details', async () => {
    try {
      parseConfigText(yaml('listeners: [{ name: a, port: 1, bogus: 1 }]'), file, OPTIONS)
      assert.fail('accepted')
    } catch (error) {
      const e = error as { code: string; status: number; extra: { errors: Array<{ path: string }> } }
      assert.equal(e.code, 'GH_ERR_CONFIG_UNKNOWN_FIELD')
      assert.equal(e.status, 400)
      assert.deepEqual(e.extra.errors.map((issue) => issue.path), ['listeners[0].bogus'])
    }
  })
})
