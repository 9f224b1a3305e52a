// One RFC 7662 introspection call: POST `token=…&token_type_hint=access_token` with the gateway's
// client credentials (client_secret_basic, RFC 6749 §2.3.1), bounded like the JWKS fetch: a deadline
// for the whole exchange, a size cap on the answer, `200` only, no redirects followed. Connections
// are kept alive (introspection runs on cache misses, possibly many per second) and limited to
// `maxConcurrent`; idle ones close on their own, so a policy dropped by a reload leaves nothing open.
import http from 'node:http'
import https from 'node:https'

/** Largest answer read. Real ones are a few hundred bytes; this stops a runaway or hostile endpoint. */
export const MAX_INTROSPECTION_BYTES = 64 * 1024

// Idle keep-alive sockets are closed after this long; longer than any call may take.
const IDLE_SOCKET_MS = 15_000

export interface IntrospectionClientOptions {
  endpoint: string
  clientId: string
  clientSecret: string
  timeoutMs: number
  maxConcurrent: number
}

/** An RFC 7662 answer that is a JSON object with a boolean `active`. */
export type IntrospectionAnswer = Record<string, unknown> & { active: boolean }

export class IntrospectionClient {
  readonly #url: URL
  readonly #client: typeof http | typeof https
  readonly #agent: http.Agent
  readonly #authorization: string
  readonly #timeoutMs: number

  constructor(options: IntrospectionClientOptions) {
    this.#url = new URL(options.endpoint)
    const secure = this.#url.protocol === 'https:'
    this.#client = secure ? https : http
    const agentOptions = { keepAlive: true, maxSockets: options.maxConcurrent, maxFreeSockets: Math.min(options.maxConcurrent, 16), timeout: IDLE_SOCKET_MS }
    this.#agent = secure ? new https.Agent(agentOptions) : new http.Agent(agentOptions)
    // RFC 6749 §2.3.1: id and secret are form-urlencoded before they are joined and base64-encoded.
    const credentials = `${formEncode(options.clientId)}:${formEncode(options.clientSecret)}`
    this.#authorization = `Basic ${Buffer.from(credentials, 'utf8').toString('base64')}`
    this.#timeoutMs = options.timeoutMs
  }

  /** The endpoint's answer; rejects with an Error saying what failed (never the token or the secret). */
  introspect(token: string): Promise<IntrospectionAnswer> {
    const body = `token=${formEncode(token)}&token_type_hint=access_token`
    return new Promise((resolve, reject) => {
      let settled = false
      const request = this.#client.request(this.#url, {
        method: 'POST',
        agent: this.#agent,
        headers: {
          authorization: this.#authorization,
          'content-type': 'application/x-www-form-urlencoded',
          'content-length': Buffer.byteLength(body),
          accept: 'application/json',
        },
      }, (response) => {
        const status = response.statusCode ?? 0
        if (status !== 200) return fail(`the introspection endpoint answered ${status}${status >= 300 && status < 400 ? ' (redirects are not followed)' : ''}`)
        const declared = Number(response.headers['content-length'])
        if (declared > MAX_INTROSPECTION_BYTES) return fail(`the introspection answer is larger than ${MAX_INTROSPECTION_BYTES} bytes`)
        const chunks: Buffer[] = []
        let received = 0
        response.on('data', (chunk: Buffer) => {
          received += chunk.length
          if (received > MAX_INTROSPECTION_BYTES) fail(`the introspection answer is larger than ${MAX_INTROSPECTION_BYTES} bytes`)
          else chunks.push(chunk)
        })
        response.on('end', () => {
          if (settled) return
          settled = true
          clearTimeout(timer)
          const answer = parseAnswer(Buffer.concat(chunks).toString('utf8'))
          if (typeof answer === 'string') reject(new Error(answer))
          else resolve(answer)
        })
        response.on('error', () => fail('the introspection endpoint broke off its answer'))
      })
      request.on('error', (error: NodeJS.ErrnoException) => fail(`the introspection endpoint cannot be reached (${error.code ?? 'error'})`))
      const timer = setTimeout(() => fail(`the introspection endpoint did not answer within ${this.#timeoutMs} ms`), this.#timeoutMs)
      request.end(body)

      function fail(reason: string): void {
        if (settled) return
        settled = true
        clearTimeout(timer)
        // A socket that failed mid-answer must not go back to the pool.
        request.destroy()
        reject(new Error(reason))
      }
    })
  }
}

/** The answer, or a string saying why it is not a usable RFC 7662 answer. */
function parseAnswer(text: string): IntrospectionAnswer | string {
  let value: unknown
  try {
    value = JSON.parse(text)
  } catch {
    return 'the introspection answer is not JSON'
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return 'the introspection answer is not a JSON object'
  if (typeof (value as { active?: unknown }).active !== 'boolean') return 'the introspection answer has no boolean "active"'
  return value as IntrospectionAnswer
}

/** application/x-www-form-urlencoded, as URLSearchParams writes it. */
function formEncode(text: string): string {
  return new URLSearchParams({ v: text }).toString().slice(2)
}
