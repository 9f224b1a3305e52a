import { test } from 'node:test'
import assert from 'node:assert/strict'
import fs from 'node:fs/promises'
import os from 'node:os'
import path from 'node:path'
import { parseConfigText, redactConfig } from '../../src/config/load.ts'
import { ConfigError } from '../../src/config/issues.ts'
import { makeSelfSignedCert, opensslMissing } from '../helpers/tls-cert.ts'

function issuesOf(yaml: string, file: string): string[] {
  try {
    parseConfigText(yaml, file)
  } catch (error) {
    assert.ok(error instanceof ConfigError)
    return error.issues.map((issue) => `${issue.path} ${issue.code} ${issue.message}`)
  }
  return []
}

test('a TLS file that is not PEM is a config error at load, naming the file', async () => {
  const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'gatehouse-tls-'))
  try {
    await fs.writeFile(path.join(dir, 'bad.pem'), 'garbage\n')
    const issues = issuesOf('listeners: [{ name: s, protocol: https, port: 8443, tls: { cert: bad.pem, key: bad.pem } }]\n', path.join(dir, 'gatehouse.yaml'))
    assert.equal(issues.length, 1)
    assert.match(issues[0], /^listeners\[0\]\.tls\.cert GH_ERR_CONFIG_TLS certificate file ".*bad\.pem" is not valid PEM/)
    assert.doesNotMatch(issues[0], /garbage/)
  } finally {
    await fs.rm(dir, { recursive: true, force: true })
  }
})

test('a private key that does not match the certificate is a config error at load', { skip: opensslMissing() }, async () => {
  const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'gatehouse-tls-'))
  try {
    const first = await makeSelfSignedCert(await fs.mkdtemp(path.join(dir, 'a-')))
    const second = await makeSelfSignedCert(await fs.mkdtemp(path.join(dir, 'b-')))
    const good = issuesOf(`listeners: [{ name: s, protocol: https, port: 8443, tls: { cert: ${first.certFile}, key: ${first.keyFile} } }]\n`, path.join(dir, 'gatehouse.yaml'))
    assert.deepEqual(good, [])
    const mixed = issuesOf(`listeners: [{ name: s, protocol: https, port: 8443, tls: { cert: ${first.certFile}, key: ${second.keyFile} } }]\n`, path.join(dir, 'gatehouse.yaml'))
    assert.equal(mixed.length, 1)
    assert.match(mixed[0], /GH_ERR_CONFIG_TLS private key ".*" does not match the certificate/)
  } finally {
    await fs.rm(dir, { recursive: true, force: true })
  }
})

test('KEY-08: header values set by the headers policy are redacted, names stay readable', () => {
  const config = parseConfigText(`
listeners: [{ name: s, protocol: http, port: 8080 }]
upstreams: { u: { targets: ['http://127.0.0.1:9000'] } }
routes:
  - paths: [/]
    upstream: u
    policies:
      headers:
        request:
          set: { Authorization: 'Bearer upstream-secret-abc', Cookie: 'sid=cookie-secret-3' }
          remove: [X-Debug]
        response:
          add: { X-Trace: visible-but-hidden }
`, '/tmp/gatehouse.yaml')
  const shown = JSON.stringify(redactConfig(config))
  for (const secret of ['upstream-secret-abc', 'cookie-secret-3', 'visible-but-hidden']) assert.ok(!shown.includes(secret), secret)
  const headers = redactConfig(config).routes[0].policies.headers as { request: { set: Record<string, string>; remove: string[] } }
  assert.deepEqual(headers.request.set, { Authorization: '***', Cookie: '***' })
  assert.deepEqual(headers.request.remove, ['X-Debug'])
  // The loaded config itself is untouched.
  assert.equal((config.routes[0].policies.headers as { request: { set: Record<string, string> } }).request.set.Authorization, 'Bearer upstream-secret-abc')
})
