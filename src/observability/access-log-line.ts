import { hostname } from 'node:os'
import { jsonMillis, jsonNumber, jsonString } from './json-string.ts'
import { redactQuery } from './redact-query.ts'

/** What the gateway knows about a finished request; every field is already at hand when it ends. */
export interface AccessLogEntry {
  /** When the response ended or was abandoned (epoch ms): the line's `time`, as in the process log. */
  time: number
  correlationId: string
  method: string
  /** Path with query string, as received. Sensitive query values are redacted when logged. */
  path: string
  status: number
  durationMs: number
  upstreamMs: number | undefined
  bytesSent: number
  clientIp: string
  route: string | undefined
  target: string | undefined
  errorCode: string | undefined
  /** True when the client went away before the response ended. */
  aborted: boolean
}

// pino's numeric `info` level and its base fields, so access lines and process-log lines can be
// read by the same tools. Computed once: pid and host name do not change.
const INFO_LEVEL = 30
const LINE_START = '{"level":' + INFO_LEVEL + ',"time":'
const BASE_FIELDS = ',"pid":' + process.pid + ',"hostname":' + jsonString(hostname()) + ',"msg":"request"'

// Epoch milliseconds are too large for V8's small-integer fast path, so formatting them costs
// ~90 ns; requests finishing in the same millisecond share one conversion.
let lastTime = Number.NaN
let lastTimeText = 'null'

function jsonTime(time: number): string {
  if (time !== lastTime) {
    lastTime = time
    lastTimeText = jsonNumber(time)
  }
  return lastTimeText
}

function optionalString(value: string | undefined): string {
  return value === undefined ? 'null' : jsonString(value)
}

// Method, route and target repeat from one request to the next (often as the very same string
// object), so a one-entry cache answers most lookups with a pointer comparison.
function lastValueCache(): (value: string | undefined) => string {
  let last: string | undefined
  let lastJson = 'null'
  return (value) => {
    if (value !== last) {
      last = value
      lastJson = optionalString(value)
    }
    return lastJson
  }
}

const methodJson = lastValueCache()
const routeJson = lastValueCache()
const targetJson = lastValueCache()

/**
 * One access-log line (JSON, ASCII only, ending in a newline), built by concatenation rather than
 * JSON.stringify: the field set is fixed, so the generic serializer would only add cost.
 */
export function formatAccessLine(entry: AccessLogEntry): string {
  return LINE_START + jsonTime(entry.time) + BASE_FIELDS +
    ',"correlationId":' + jsonString(entry.correlationId) +
    ',"method":' + methodJson(entry.method) +
    ',"path":' + jsonString(redactQuery(entry.path)) +
    ',"status":' + jsonNumber(entry.status) +
    ',"durationMs":' + jsonMillis(entry.durationMs) +
    ',"upstreamMs":' + (entry.upstreamMs === undefined ? 'null' : jsonMillis(entry.upstreamMs)) +
    ',"bytesSent":' + jsonNumber(entry.bytesSent) +
    ',"clientIp":' + jsonString(entry.clientIp) +
    ',"route":' + routeJson(entry.route) +
    ',"target":' + targetJson(entry.target) +
    ',"errorCode":' + optionalString(entry.errorCode) +
    ',"aborted":' + (entry.aborted ? 'true' : 'false') +
    '}\n'
}
