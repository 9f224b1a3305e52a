import { test } from 'node:test'
import assert from 'node:assert/strict'
import { spawn } from 'node:child_process'
import fs from 'node:fs/promises'
import http from 'node:http'
import os from 'node:os'
import path from 'node:path'
import { startUpstream } from '../helpers/servers.ts'
import { freePort, waitForPort } from '../helpers/ports.ts'

const BIN = new URL('../../bin/gatehouse.js', import.meta.url).pathname

test('LOAD-10: SIGTERM drains in-flight requests, refuses new connections and exits 0', async () => {
  const upstream = await startUpstream((_req, res) => setTimeout(() => res.end('finished'), 800))
  const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'gatehouse-shutdown-'))
  const port = await freePort()
  const adminPort = await freePort()
  const configFile = path.join(dir, 'gatehouse.yaml')
  await fs.writeFile(configFile, `
listeners: [{ name: public, protocol: http, host: 127.0.0.1, port: ${port} }]
admin: { host: 127.0.0.1, port: ${adminPort} }
observability: { accessLog: { enabled: true, destination: ${JSON.stringify(path.join(dir, 'access.log'))} }, logLevel: warn }
shutdown: { drainTimeoutMs: 5000 }
upstreams: { slow: { targets: ['${upstream.url}'] } }
routes: [{ paths: [/], upstream: slow }]
`)
  const child = spawn(process.execPath, [BIN, 'start', '--config', configFile], { stdio: ['ignore', 'pipe', 'pipe'] })
  let stderr = ''
  child.stderr.on('data', (chunk) => (stderr += chunk))
  try {
    await waitForPort(port, 10_000)
    const inFlight = new Promise<{ status: number; body: string }>((resolve, reject) => {
      http.get({ host: '127.0.0.1', port, path: '/slow' }, (res) => {
        let body = ''
        res.on('data', (chunk) => (body += chunk))
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body }))
      }).on('error', reject)
    })
    await new Promise((resolve) => setTimeout(resolve, 200))
    const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)))
    child.kill('SIGTERM')
    await new Promise((resolve) => setTimeout(resolve, 100))
    const refused = await new Promise<string>((resolve) => {
      http.get({ host: '127.0.0.1', port, path: '/late', agent: false }, () => resolve('answered')).on('error', (error: NodeJS.ErrnoException) => resolve(error.code ?? 'error'))
    })
    assert.equal(refused, 'ECONNREFUSED', 'no new connections once draining')
    assert.deepEqual(await inFlight, { status: 200, body: 'finished' })
    assert.equal(await exited, 0, stderr)
    const log = await fs.readFile(path.join(dir, 'access.log'), 'utf8')
    assert.match(log, /"path":"\/slow"/, 'the drained request was logged before exit')
  } finally {
    child.kill('SIGKILL')
    await upstream.close()
    await fs.rm(dir, { recursive: true, force: true })
  }
})
