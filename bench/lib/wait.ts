import { request } from 'node:http'
import { connect } from 'node:net'
import { setTimeout as sleep } from 'node:timers/promises'
import type { ManagedProcess } from './run-scope.ts'

function canConnect(port: number, host: string): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect({ port, host })
    socket.once('connect', () => {
      socket.destroy()
      resolve(true)
    })
    socket.once('error', () => resolve(false))
  })
}

/**
 * Resolves once something accepts TCP connections on host:port. Rejects when `process` exits
 * first (with the tail of its output, which usually says why) or after `timeoutMs`.
 */
export async function waitUntilListening(port: number, options: { host?: string; timeoutMs?: number; process?: ManagedProcess } = {}): Promise<void> {
  const host = options.host ?? '127.0.0.1'
  const deadline = Date.now() + (options.timeoutMs ?? 15_000)
  const owner = options.process
  while (Date.now() < deadline) {
    if (owner?.hasExited()) {
      const info = await owner.exited
      throw new Error(`${owner.name} exited (code ${info.code}, signal ${info.signal}) before listening on ${host}:${port}:\n${tail(owner.output())}`)
    }
    if (await canConnect(port, host)) return
    await sleep(50)
  }
  const label = owner === undefined ? `${host}:${port}` : `${owner.name} on ${host}:${port}`
  throw new Error(`${label} did not accept connections within ${options.timeoutMs ?? 15_000} ms${owner === undefined ? '' : `:\n${tail(owner.output())}`}`)
}

export interface SimpleResponse {
  status: number
  headers: Record<string, string | string[] | undefined>
  body: string
}

/** One GET on a fresh connection, for checking that a target answers correctly before loading it. */
export function httpGet(url: string, timeoutMs = 5000): Promise<SimpleResponse> {
  return new Promise((resolve, reject) => {
    const req = request(url, { agent: false, timeout: timeoutMs }, (res) => {
      let body = ''
      res.setEncoding('utf8')
      res.on('data', (chunk: string) => (body += chunk))
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body }))
      res.on('error', reject)
    })
    req.on('timeout', () => req.destroy(new Error(`GET ${url}: no answer within ${timeoutMs} ms`)))
    req.on('error', reject)
    req.end()
  })
}

/** The last lines of a process's output, indented, for error messages. */
export function tail(output: string, lines = 40): string {
  const text = output.trimEnd()
  if (text === '') return '  (no output)'
  return text.split('\n').slice(-lines).map((line) => `  ${line}`).join('\n')
}
