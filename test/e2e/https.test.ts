// An https listener in front of a plain-HTTP upstream, with a certificate generated at test time.
import { test, after, before, describe } from 'node:test'
import assert from 'node:assert/strict'
import { X509Certificate } from 'node:crypto'
import fs from 'node:fs/promises'
import tls from 'node:tls'
import { startGateway, type TestGateway } from '../helpers/gateway.ts'
import { startUpstream, type TestUpstream } from '../helpers/servers.ts'
import { httpRequest } from '../helpers/http-client.ts'
import { makeSelfSignedCert, opensslMissing, type TestCertificate } from '../helpers/tls-cert.ts'
import { runCli, tempDir } from '../helpers/cli.ts'
import { ConfigError } from '../../src/config/issues.ts'

const missing = opensslMissing()
if (missing !== undefined) console.log(`https e2e tests skipped: ${missing}`)

describe('https listener', { skip: missing }, () => {
  let upstream: TestUpstream
  let gw: TestGateway
  let certificate: TestCertificate
  let temp: Awaited<ReturnType<typeof tempDir>>
  let httpsPort: number
  let httpPort: number

  before(async () => {
    temp = await tempDir('gatehouse-tls-')
    certificate = await makeSelfSignedCert(temp.dir)
    upstream = await startUpstream((req, res) => {
      const payload = JSON.stringify({ url: req.url, headers: req.headers })
      res.writeHead(200, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(payload) })
      res.end(payload)
    })
    gw = await startGateway(`
listeners:
  - { name: public, protocol: http, host: 127.0.0.1, port: 0 }
  - name: secure
    protocol: https
    host: 127.0.0.1
    port: 0
    tls: { cert: '${certificate.certFile}', key: '${certificate.keyFile}' }
upstreams: { app: { targets: ['${upstream.url}'] } }
routes: [{ name: app, paths: [/], upstream: app }]
`)
    httpPort = gw.gateway.addresses().public.port
    httpsPort = gw.gateway.addresses().secure.port
  })

  after(async () => {
    await gw?.stop()
    await upstream?.close()
    await temp?.remove()
  })

  const seenHeaders = (body: string): Record<string, string> => (JSON.parse(body) as { headers: Record<string, string> }).headers

  test('serves through to the HTTP upstream with the generated certificate, and X-Forwarded-Proto: https reaches it', async () => {
    const answer = await httpRequest(`https://127.0.0.1:${httpsPort}/orders?id=1`, { ca: certificate.cert })
    assert.equal(answer.status, 200)
    const body = JSON.parse(answer.body) as { url: string; headers: Record<string, string> }
    assert.equal(body.url, '/orders?id=1')
    assert.equal(body.headers['x-forwarded-proto'], 'https')
  })

  test('SMUG-13: a client-sent X-Forwarded-Proto is replaced on both listeners', async () => {
    const secure = await httpRequest(`https://127.0.0.1:${httpsPort}/`, { ca: certificate.cert, headers: { 'x-forwarded-proto': 'http' } })
    assert.equal(seenHeaders(secure.body)['x-forwarded-proto'], 'https')
    const plain = await httpRequest(`http://127.0.0.1:${httpPort}/`, { headers: { 'x-forwarded-proto': 'https' } })
    assert.equal(seenHeaders(plain.body)['x-forwarded-proto'], 'http')
  })

  test('presents the configured certificate', async () => {
    const presented = await new Promise<tls.PeerCertificate>((resolve, reject) => {
      const socket = tls.connect({ host: '127.0.0.1', port: httpsPort, servername: 'localhost', ca: certificate.cert }, () => {
        resolve(socket.getPeerCertificate())
        socket.end()
      })
      socket.on('error', reject)
    })
    assert.equal(presented.subject.CN, 'localhost')
    assert.equal(presented.fingerprint256, new X509Certificate(certificate.cert).fingerprint256)
  })

  test('plain HTTP on the https port gets no HTTP answer', async () => {
    await assert.rejects(httpRequest(`http://127.0.0.1:${httpsPort}/`, { timeoutMs: 2000 }))
  })
})

describe('TLS configuration errors', { skip: missing }, () => {
  test('a missing certificate file fails to load with GH_ERR_CONFIG_TLS naming the field', async () => {
    const temp = await tempDir('gatehouse-tls-missing-')
    try {
      const certificate = await makeSelfSignedCert(temp.dir)
      const yaml = `
listeners:
  - name: public
    protocol: https
    host: 127.0.0.1
    port: 0
    tls: { cert: '${temp.file('absent.pem')}', key: '${certificate.keyFile}' }
upstreams: { app: { targets: ['http://127.0.0.1:9'] } }
routes: [{ name: app, paths: [/], upstream: app }]
`
      await assert.rejects(startGateway(yaml), (error: unknown) => {
        assert.ok(error instanceof ConfigError, String(error))
        const issue = error.issues.find((candidate) => candidate.code === 'GH_ERR_CONFIG_TLS')
        assert.ok(issue, JSON.stringify(error.issues))
        assert.equal(issue.path, 'listeners[0].tls.cert')
        assert.match(issue.message, /does not exist/)
        return true
      })
      const configFile = temp.file('gatehouse.yaml')
      await fs.writeFile(configFile, yaml)
      const result = await runCli(['validate', configFile])
      assert.equal(result.code, 1)
      assert.match(result.stderr, /listeners\[0\]\.tls\.cert: certificate file .* does not exist \(GH_ERR_CONFIG_TLS\)/)
    } finally {
      await temp.remove()
    }
  })
})
