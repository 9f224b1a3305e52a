// Shared by the JOSE tests, the jwt policy's tests and the end-to-end tests: signing keys made by
// the key manager (generated once per process) and a real JWKS endpoint whose answers a test can
// change and whose requests it can count.
import http from 'node:http'
import type { AddressInfo } from 'node:net'
import { generateSigningKey } from '../keymanager/keys/generate-signing-key.ts'
import { loadSigningKey, type LoadedKey } from '../keymanager/keys/loaded-key.ts'

const keys = new Map<string, LoadedKey>()

/** A key per name, generated once per process (RSA generation is slow). */
export function testKey(name: string, algorithm: 'RS256' | 'PS256' | 'ES256' | 'EdDSA' = 'RS256'): LoadedKey {
  let key = keys.get(`${name}/${algorithm}`)
  if (key === undefined) {
    key = loadSigningKey(generateSigningKey(algorithm, Math.floor(Date.now() / 1000)))
    keys.set(`${name}/${algorithm}`, key)
  }
  return key
}

export function jwksOf(...loaded: LoadedKey[]): string {
  return JSON.stringify({ keys: loaded.map((key) => key.publicJwk) })
}

/** How the JWKS endpoint answers the next requests. */
export interface JwksAnswer {
  status: number
  body: string | Buffer
  /** Leave the request without an answer (until the server closes). */
  hang?: boolean
  /** Send the head and part of the body, then nothing more. */
  stallAfterHead?: boolean
  /** Wait this long before answering. */
  delayMs?: number
  /** Send the body chunked, without Content-Length. */
  chunked?: boolean
}

export interface JwksServer {
  url: string
  /** Requests received so far. */
  readonly requests: number
  answer: JwksAnswer
  close(): Promise<void>
}

export async function startJwksServer(initial: JwksAnswer): Promise<JwksServer> {
  const state = { requests: 0, answer: initial }
  const server = http.createServer((req, res) => {
    state.requests++
    const answer = state.answer
    if (answer.hang === true) return
    const body = typeof answer.body === 'string' ? Buffer.from(answer.body) : answer.body
    const send = (): void => {
      res.writeHead(answer.status, answer.chunked === true ? { 'content-type': 'application/json' } : { 'content-type': 'application/json', 'content-length': body.length })
      if (answer.stallAfterHead === true) res.write(body.subarray(0, Math.min(10, body.length)))
      else res.end(body)
    }
    if (answer.delayMs === undefined) send()
    else setTimeout(send, answer.delayMs)
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()))
  const port = (server.address() as AddressInfo).port
  return {
    url: `http://127.0.0.1:${port}/jwks`,
    get requests() {
      return state.requests
    },
    get answer() {
      return state.answer
    },
    set answer(next: JwksAnswer) {
      state.answer = next
    },
    close: () => new Promise<void>((resolve) => {
      server.closeAllConnections()
      server.close(() => resolve())
    }),
  }
}
