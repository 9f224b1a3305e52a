import { request } from 'node:http'
import type { ActiveHealthCheckConfig } from '../../config/types.ts'
import type { ProbeResult } from './active-health.ts'
import type { Target } from './target.ts'

/** A health endpoint's body is read and thrown away up to this size; beyond it the probe stops reading. */
const MAX_BODY_BYTES = 64 * 1024

/**
 * Sends one `GET path` to a target and reports the outcome once through `onDone`, unless the
 * returned abort function is called first (then `onDone` is never called).
 *
 * node:http with `agent: false` opens a fresh connection per probe and closes it afterwards. A
 * probe every few seconds gains nothing from keep-alive, and a new connection each time checks
 * what a new pool connection will meet (a target that stopped accepting connections fails the
 * check even if an old socket still answers). Nothing idles between probes, so stopping the
 * checker leaves no socket behind, and the socket is unref'd so a probe in flight never keeps the
 * process alive.
 *
 * The whole exchange (connect, head and body) must finish within `timeoutMs`. The verdict comes
 * from the status, but a response whose body never ends counts as a failure.
 */
export function probeTarget(target: Target, check: ActiveHealthCheckConfig, expect: ReadonlySet<number>, onDone: (result: ProbeResult) => void): () => void {
  let settled = false
  const req = request({
    host: target.host,
    port: target.port,
    method: 'GET',
    path: check.path,
    agent: false,
    headers: { host: target.authority, 'user-agent': 'gatehouse-health-check', accept: '*/*', connection: 'close' },
  })
  const deadline = setTimeout(() => finish({ ok: false, detail: `no complete response within ${check.timeoutMs} ms` }), check.timeoutMs)
  deadline.unref()

  function finish(result: ProbeResult): void {
    if (settled) return
    settled = true
    clearTimeout(deadline)
    req.destroy()
    onDone(result)
  }

  req.on('socket', (socket) => socket.unref())
  // Stays attached after settling: destroying the request may still emit an error.
  req.on('error', (err: NodeJS.ErrnoException) => finish({ ok: false, detail: describeError(err) }))
  req.on('response', (res) => {
    const status = res.statusCode ?? 0
    const verdict: ProbeResult = { ok: expect.has(status), detail: `status ${status}` }
    let received = 0
    res.on('data', (chunk: Buffer) => {
      received += chunk.length
      if (received > MAX_BODY_BYTES) finish(verdict)
    })
    res.on('end', () => finish(verdict))
    res.on('error', (err: NodeJS.ErrnoException) => finish({ ok: false, detail: describeError(err) }))
    res.on('close', () => finish({ ok: false, detail: 'connection closed before the response body ended' }))
  })
  req.end()

  return function abortProbe() {
    if (settled) return
    settled = true
    clearTimeout(deadline)
    req.destroy()
  }
}

function describeError(err: NodeJS.ErrnoException): string {
  return err.code === undefined || err.message.includes(err.code) ? `request failed: ${err.message}` : `request failed: ${err.message} (${err.code})`
}
