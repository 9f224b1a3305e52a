// Reads the text wrk prints with `--latency` into numbers. wrk scales every figure to a unit of
// its own choosing (`812.00us`, `1.52ms`, `2.01s`, `1.00m`; `12.3k` requests), so each value is
// parsed with its unit rather than assumed to be in milliseconds.

export interface WrkResult {
  requests: number
  durationS: number
  rps: number
  latencyAvgMs: number
  latencyMaxMs: number
  /** Percentile (50, 75, 90, 99) → latency in milliseconds. */
  percentilesMs: Record<number, number>
  p50Ms: number
  p99Ms: number
  /** Responses whose status was not 2xx or 3xx. */
  non2xx3xx: number
  socketErrors: { connect: number; read: number; write: number; timeout: number }
}

const TIME_UNIT_MS: Record<string, number> = { us: 0.001, ms: 1, s: 1000, m: 60_000, h: 3_600_000 }

/** `812.00us` → 0.812, `1.52ms` → 1.52, `2.01s` → 2010. Returns NaN for wrk's `-nan` output. */
export function parseWrkTime(text: string): number {
  const match = /^(-?[\d.]+|-?nan)(us|ms|s|m|h)$/i.exec(text.trim())
  if (match === null) throw new Error(`wrk output: "${text}" is not a time with a unit (us, ms, s, m, h)`)
  if (/nan/i.test(match[1])) return Number.NaN
  return Number(match[1]) * TIME_UNIT_MS[match[2].toLowerCase()]
}

export function parseWrkOutput(output: string): WrkResult {
  const requestsLine = /^\s*(\d+) requests in ([\d.]+)(us|ms|s|m|h),/m.exec(output)
  const rpsLine = /^Requests\/sec:\s*([\d.]+)/m.exec(output)
  if (requestsLine === null || rpsLine === null) {
    throw new Error(`wrk output has no "requests in" or "Requests/sec:" line; wrk said:\n${output.trim().slice(0, 2000)}`)
  }
  const latencyLine = /^\s*Latency\s+(\S+)\s+\S+\s+(\S+)/m.exec(output)
  const percentilesMs: Record<number, number> = {}
  for (const match of output.matchAll(/^\s*(\d+(?:\.\d+)?)%\s+(\S+)\s*$/gm)) {
    percentilesMs[Number(match[1])] = parseWrkTime(match[2])
  }
  if (percentilesMs[50] === undefined || percentilesMs[99] === undefined) {
    throw new Error('wrk output has no latency distribution; was wrk run with --latency?')
  }
  const socket = /Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)/.exec(output)
  const non2xx = /Non-2xx or 3xx responses: (\d+)/.exec(output)
  return {
    requests: Number(requestsLine[1]),
    durationS: parseWrkTime(`${requestsLine[2]}${requestsLine[3]}`) / 1000,
    rps: Number(rpsLine[1]),
    latencyAvgMs: latencyLine === null ? Number.NaN : parseWrkTime(latencyLine[1]),
    latencyMaxMs: latencyLine === null ? Number.NaN : parseWrkTime(latencyLine[2]),
    percentilesMs,
    p50Ms: percentilesMs[50],
    p99Ms: percentilesMs[99],
    non2xx3xx: non2xx === null ? 0 : Number(non2xx[1]),
    socketErrors: socket === null
      ? { connect: 0, read: 0, write: 0, timeout: 0 }
      : { connect: Number(socket[1]), read: Number(socket[2]), write: Number(socket[3]), timeout: Number(socket[4]) },
  }
}

/** Requests that failed: non-2xx/3xx answers plus every kind of socket error. */
export function wrkErrorCount(result: WrkResult): number {
  const s = result.socketErrors
  return result.non2xx3xx + s.connect + s.read + s.write + s.timeout
}
