import { test, describe, before, after } from 'node:test'
import assert from 'node:assert/strict'
import http from 'node:http'
import type { AddressInfo } from 'node:net'
import { mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import type { SpecIssue } from '../model.ts'
import { loadApiSpec, SpecError } from './index.ts'

const fixture = (path: string): string => fileURLToPath(new URL(`../../../test/fixtures/openapi/${path}`, import.meta.url))

async function issuesOf(file: string, options?: { allowRemoteRefs?: boolean }): Promise<SpecIssue[]> {
  const error = await loadApiSpec(file, options).then(() => undefined, (caught: unknown) => caught)
  assert.ok(error instanceof SpecError, `expected a SpecError, got ${String(error)}`)
  assert.ok(error.issues.length > 0)
  for (const issue of error.issues) assert.ok(error.message.includes(issue.message), 'the message lists every issue')
  return error.issues
}

describe('errors', () => {
  let dir: string
  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'gatehouse-spec-'))
  })
  after(async () => {
    await rm(dir, { recursive: true, force: true })
  })
  const write = async (name: string, text: string): Promise<string> => {
    const file = join(dir, name)
    await writeFile(file, text)
    return file
  }

  test('a YAML syntax error names the file, line and column', async () => {
    const file = fixture('broken/yaml-syntax.yaml')
    const [issue] = await issuesOf(file)
    assert.deepEqual({ ...issue, message: undefined }, { code: 'GH_ERR_CONFIG_SPEC', file, pointer: '#', line: 10, column: 1, message: undefined })
    assert.match(issue.message, /^YAML syntax error: /)
  })

  test('a JSON syntax error is found too (JSON is read as YAML)', async () => {
    const file = await write('broken.json', '{\n  "openapi": "3.0.3",\n  "info": { "title": "T" "version": "1" }\n}\n')
    const [issue] = await issuesOf(file)
    assert.equal(issue.file, file)
    assert.equal(issue.line, 3)
  })

  test('an invalid document: every problem, each at its pointer and line, in plain words', async () => {
    const file = fixture('broken/invalid-document.yaml')
    assert.deepEqual(await issuesOf(file), [
      { code: 'GH_ERR_CONFIG_SPEC', file, pointer: '#/info', line: 4, column: 1, message: '"version" is required but missing' },
      { code: 'GH_ERR_CONFIG_SPEC', file, pointer: '#/paths/~1data/get', line: 8, column: 5, message: '"responses" is required but missing' },
      { code: 'GH_ERR_CONFIG_SPEC', file, pointer: '#/paths/~1data/post/requestBody', line: 12, column: 7, message: 'must be a mapping, not number 42' },
    ])
  })

  test('a Swagger 2.0 rule beyond the schema (a path parameter without its {placeholder}) is reported at the operation', async () => {
    const file = await write('swagger.yaml', [
      "swagger: '2.0'",
      'info: { title: T, version: "1" }',
      'paths:',
      '  /data:',
      '    get:',
      '      parameters:',
      '        - { name: id, in: path, required: true, type: string }',
      '      responses:',
      "        '200': { description: OK }",
      '',
    ].join('\n'))
    const [issue] = await issuesOf(file)
    assert.equal(issue.pointer, '#/paths/~1data/get')
    assert.equal(issue.line, 5)
    assert.match(issue.message, /path parameter named "id"/)
  })

  test('unresolved $refs: a missing schema (with a suggestion) and a missing file, each at its $ref', async () => {
    const file = fixture('broken/unresolved-ref.yaml')
    const issues = await issuesOf(file)
    assert.deepEqual(issues.map((issue) => [issue.file, issue.pointer, issue.line]), [
      [file, '#/paths/~1data/get/responses/200/content/application~1json/schema/$ref', 16],
      [file, '#/paths/~1data/post/requestBody/content/application~1json/schema/$ref', 23],
    ])
    assert.match(issues[0].message, /nothing at #\/components\/schemas\/Mesages \(did you mean #\/components\/schemas\/Messages\?\)/)
    assert.match(issues[1].message, /no-such-file\.yaml cannot be used because the file does not exist/)
  })

  test('a problem inside a referenced file is reported in that file', async () => {
    const [issue] = await issuesOf(fixture('broken/ref-in-other-file.yaml'))
    assert.deepEqual([issue.file, issue.pointer, issue.line, issue.column], [fixture('broken/parts/bad-part.yaml'), '#/Messages/items/$ref', 5, 5])
  })

  test('a validation problem inside a referenced file is reported in that file', async () => {
    await write('parts.yaml', 'Ok:\n  description: OK\nBroken:\n  content: {}\n')
    const file = await write('entry.yaml', [
      'openapi: 3.0.3',
      'info: { title: T, version: "1" }',
      'paths:',
      '  /data:',
      '    get:',
      '      responses:',
      "        '200': { $ref: './parts.yaml#/Ok' }",
      "        '500': { $ref: './parts.yaml#/Broken' }",
      '',
    ].join('\n'))
    assert.deepEqual(await issuesOf(file), [
      { code: 'GH_ERR_CONFIG_SPEC', file: join(dir, 'parts.yaml'), pointer: '#/Broken', line: 3, column: 1, message: '"description" is required but missing' },
    ])
  })

  test('schema keywords with values no validator can use are issues at those keywords', async () => {
    const file = fixture('broken/invalid-schema.yaml')
    const issues = await issuesOf(file)
    const at = '#/paths/~1data/post/requestBody/content/application~1json/schema/properties'
    assert.deepEqual(issues.map((issue) => [issue.pointer, issue.line]), [
      [`${at}/count/type`, 19],
      [`${at}/code/pattern`, 22],
      [`${at}/code/minLength`, 23],
    ])
    assert.match(issues[0].message, /type "integr" is not a JSON Schema type/)
    assert.match(issues[1].message, /not a valid regular expression/)
    assert.match(issues[2].message, /minLength must be a whole number of 0 or more, not -1/)
  })

  test('CFG-04: a duplicate operationId names both operations', async () => {
    const file = fixture('broken/duplicate-operation-id.yaml')
    assert.deepEqual(await issuesOf(file), [{
      code: 'GH_ERR_CONFIG_SPEC_DUPLICATE_OPERATION_ID',
      file,
      pointer: '#/paths/~1data~1{id}/get/operationId',
      line: 15,
      column: 7,
      message: 'operationId "getData" is used by both #/paths/~1data/get (GET /data) and #/paths/~1data~1{id}/get (GET /data/{id}); each operation needs its own',
    }])
  })

  test('CFG-04 in Swagger 2.0 too, with the same code', async () => {
    const file = await write('dup2.yaml', [
      "swagger: '2.0'",
      'info: { title: T, version: "1" }',
      'paths:',
      '  /a: { get: { operationId: same, responses: { 200: { description: OK } } } }',
      '  /b: { get: { operationId: same, responses: { 200: { description: OK } } } }',
      '',
    ].join('\n'))
    const issues = await issuesOf(file)
    assert.deepEqual(issues.map((issue) => [issue.code, issue.pointer, issue.line]), [['GH_ERR_CONFIG_SPEC_DUPLICATE_OPERATION_ID', '#/paths/~1b/get/operationId', 5]])
    assert.match(issues[0].message, /#\/paths\/~1a\/get .* #\/paths\/~1b\/get/)
  })

  test('a tsv collectionFormat is refused at that keyword', async () => {
    const file = fixture('broken/tsv-collection-format.yaml')
    const [issue] = await issuesOf(file)
    assert.deepEqual([issue.pointer, issue.line], ['#/paths/~1data/get/parameters/0/collectionFormat', 16])
    assert.match(issue.message, /tsv.*not supported/)
  })

  test('missing file, directory, empty file and non-OpenAPI content each give one issue', async () => {
    const missing = join(dir, 'nope.yaml')
    assert.deepEqual(await issuesOf(missing), [{ code: 'GH_ERR_CONFIG_SPEC', file: missing, pointer: '#', message: 'the API description cannot be read: the file does not exist' }])
    assert.match((await issuesOf(dir))[0].message, /directory/)
    assert.match((await issuesOf(await write('empty.yaml', '# nothing\n')))[0].message, /empty/)
    assert.match((await issuesOf(await write('list.yaml', '- a\n- b\n')))[0].message, /must be a mapping/)
    assert.match((await issuesOf(await write('other.yaml', 'name: x\n')))[0].message, /neither "openapi" nor "swagger"/)
  })

  test('unsupported or mistyped versions are issues at the version field', async () => {
    const cases: [string, RegExp][] = [
      ['openapi: 3.2.0\n', /"3\.2\.0" is not supported/],
      ['openapi: 3.0\n', /must be a string .* not the number 3/],
      ['swagger: 2.0\n', /must be the string "2\.0" .* not the number 2/],
      ["swagger: '1.2'\n", /"1\.2" is not supported/],
    ]
    for (const [text, pattern] of cases) {
      const [issue] = await issuesOf(await write('version.yaml', `${text}info: { title: T, version: "1" }\npaths: {}\n`))
      assert.match(issue.message, pattern)
      assert.equal(issue.line, 1)
      assert.match(issue.pointer, /^#\/(openapi|swagger)$/)
    }
  })

  test('a later 3.0.x patch version is accepted and validated as 3.0', async () => {
    const file = await write('patch.yaml', 'openapi: 3.0.9\ninfo: { title: T, version: "1" }\npaths: {}\n')
    assert.equal((await loadApiSpec(file)).version, '3.0')
  })
})

describe('CFG-08: remote $refs', () => {
  let server: http.Server
  let base: string
  let connections = 0
  let requests: string[] = []
  let dir: string
  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'gatehouse-spec-'))
    const documents: Record<string, string> = {
      '/schemas.yaml': "Messages:\n  type: array\n  items:\n    $ref: './more.yaml#/Message'\n",
      '/more.yaml': 'Message:\n  type: string\n  maxLength: 80\n',
    }
    server = http.createServer((req, res) => {
      requests.push(req.url ?? '')
      const body = documents[req.url ?? '']
      res.writeHead(body === undefined ? 404 : 200, { 'content-type': 'application/yaml' })
      res.end(body ?? 'not found')
    })
    server.on('connection', () => connections++)
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`
  })
  after(async () => {
    await new Promise<void>((resolve) => server.close(() => resolve()))
    await rm(dir, { recursive: true, force: true })
  })

  const entry = async (ref: string): Promise<string> => {
    const file = join(dir, 'api.yaml')
    await writeFile(file, [
      'openapi: 3.0.3',
      'info: { title: Remote, version: "1" }',
      'paths:',
      '  /data:',
      '    get:',
      '      responses:',
      "        '200':",
      '          description: OK',
      '          content:',
      '            application/json:',
      '              schema:',
      `                $ref: '${ref}'`,
      '',
    ].join('\n'))
    return file
  }

  test('a remote $ref is an issue at its pointer and is never fetched', async () => {
    connections = 0
    requests = []
    const file = await entry(`${base}/schemas.yaml#/Messages`)
    const issues = await issuesOf(file)
    assert.deepEqual(issues.map((issue) => [issue.file, issue.pointer, issue.line]), [[file, '#/paths/~1data/get/responses/200/content/application~1json/schema/$ref', 12]])
    assert.match(issues[0].message, /remote document .* allowRemoteRefs/)
    assert.equal(connections, 0)
    assert.deepEqual(requests, [])
  })

  test('the fixture pointing at 10.0.0.1 fails at once, without trying to connect', async () => {
    const started = Date.now()
    const file = fixture('broken/remote-ref.yaml')
    const [issue] = await issuesOf(file)
    assert.deepEqual([issue.file, issue.pointer, issue.line], [file, '#/paths/~1data/get/responses/200/content/application~1json/schema/$ref', 16])
    assert.match(issue.message, /http:\/\/10\.0\.0\.1\/x\.yaml/)
    assert.ok(Date.now() - started < 5000)
  })

  test('with allowRemoteRefs the documents are fetched (each once), resolved and validated', async () => {
    connections = 0
    requests = []
    const spec = await loadApiSpec(await entry(`${base}/schemas.yaml#/Messages`), { allowRemoteRefs: true })
    assert.deepEqual(spec.operations[0].responses[0].content['application/json'].schema, { type: 'array', items: { type: 'string', maxLength: 80 } })
    assert.deepEqual(requests.sort(), ['/more.yaml', '/schemas.yaml'])
  })

  test('with allowRemoteRefs a remote document that cannot be fetched is an issue at the $ref', async () => {
    const file = await entry(`${base}/missing.yaml#/Messages`)
    const [issue] = await issuesOf(file, { allowRemoteRefs: true })
    assert.equal(issue.pointer, '#/paths/~1data/get/responses/200/content/application~1json/schema/$ref')
    assert.match(issue.message, /answered 404/)
  })
})
