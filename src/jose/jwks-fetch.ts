// One bounded GET of a JWK Set: a deadline for the whole exchange (connect, head and body), a size
// cap checked against Content-Length and again while the body streams, only `200`, no redirects
// followed. A fresh connection each time (no agent): fetches happen minutes apart, and a pooled
// socket would outlive the key set that opened it.
import http from 'node:http'
import https from 'node:https'

/** Largest JWK Set accepted. Real ones are a few KiB; this only stops a runaway or hostile endpoint. */
export const MAX_JWKS_BYTES = 1024 * 1024

/** The body of `uri` as text; rejects with an Error whose message says what went wrong (never the body). */
export function fetchJwksText(uri: URL, timeoutMs: number, maxBytes = MAX_JWKS_BYTES): Promise<string> {
  return new Promise((resolve, reject) => {
    let settled = false
    const client = uri.protocol === 'https:' ? https : http
    const request = client.get(uri, { agent: false, headers: { accept: 'application/jwk-set+json, application/json' } }, (response) => {
      const status = response.statusCode ?? 0
      if (status !== 200) return fail(`answered ${status}${status >= 300 && status < 400 ? ' (redirects are not followed)' : ''}`)
      const declared = Number(response.headers['content-length'])
      if (declared > maxBytes) return fail(`declares ${declared} bytes, more than the ${maxBytes} allowed`)
      const chunks: Buffer[] = []
      let received = 0
      response.on('data', (chunk: Buffer) => {
        received += chunk.length
        if (received > maxBytes) fail(`sent more than the ${maxBytes} bytes allowed`)
        else chunks.push(chunk)
      })
      response.on('end', () => {
        if (settled) return
        settled = true
        clearTimeout(timer)
        resolve(Buffer.concat(chunks).toString('utf8'))
      })
      response.on('error', () => fail('broke off the response'))
    })
    request.on('error', (error: Error) => fail(error.message))
    const timer = setTimeout(() => fail(`did not answer completely within ${timeoutMs} ms`), timeoutMs)
    // A pending fetch must never keep a process alive that is otherwise done.
    timer.unref()

    function fail(reason: string): void {
      if (settled) return
      settled = true
      clearTimeout(timer)
      request.destroy()
      reject(new Error(`JWKS ${uri.origin}${uri.pathname} ${reason}`))
    }
  })
}
