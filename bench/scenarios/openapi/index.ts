// `gatehouse bench openapi`: what request validation against an OpenAPI document costs. One
// gateway pinned to one core serves the same document as two APIs, validation off and on; a GET
// with two query parameters and a POST with a 1 KiB JSON body go through each, and the upstream
// directly is the reference. Medians, and ratios of each validated row to its unvalidated twin.
import { writeFileSync } from 'node:fs'
import { loadavg } from 'node:os'
import { join } from 'node:path'
import { startBenchUpstream, type BenchUpstream, type UpstreamChoice } from '../../lib/bench-upstream.ts'
import { detectPinning, type Pinning } from '../../lib/cpus.ts'
import { BenchError } from '../../lib/errors.ts'
import { requestOnce, type RequestOptions } from '../../lib/http-request.ts'
import { printJsonLine } from '../../lib/json-line.ts'
import { runMeasuredRounds, type WrkTarget } from '../../lib/measured-rounds.ts'
import { choiceFlag, choiceListFlag, COMMON_OPTIONS, integerListFlag, numberFlag, parseScenarioArgs } from '../../lib/options.ts'
import { RunScope } from '../../lib/run-scope.ts'
import { ensureWrk } from '../../lib/wrk.ts'
import type { BenchIo, Scenario } from '../scenario.ts'
import { API_PATH, PREFIXES, startOpenApiGateway, type OpenApiGateway } from './gateway.ts'
import { BODY_BYTES, invalidBody, INVALID_QUERY, postScript, VALID_QUERY, validBody } from './requests.ts'
import { BAR_CONNECTIONS, buildReport, formatReport, MIN_RATIO, OPENAPI_TARGETS, reportJson, type OpenApiTargetName } from './report.ts'

const OPTIONS = {
  ...COMMON_OPTIONS,
  targets: { type: 'string' },
  upstream: { type: 'string' },
} as const

const HELP = `gatehouse bench openapi [options]

Measures what request validation against an OpenAPI document costs. One gateway (one worker,
access log and metrics on) is pinned to one core; wrk (-t1 --latency) and the upstream share the
other. The gateway serves bench/scenarios/openapi/bench-api.yaml (OpenAPI 3.0, no security) twice,
as two APIs under apis: in front of the same upstream, /off with validation.requests: false and
/on with validation.requests: true, both with stripBasePath: true, so both forward /v1/data.

Targets:
  direct     GET /v1/data?${VALID_QUERY} to the upstream itself
  get-off    GET /off/v1/data?${VALID_QUERY}: no validation (the route has no validation policy)
  get-on     GET /on/v1/data?${VALID_QUERY}: limit (integer 1..100) and tag (string) decoded
             and checked against the document
  post-off   POST /off/v1/data with a fixed ${BODY_BYTES}-byte JSON body (a batch of 12 entries), streamed
  post-on    the same POST to /on: content type checked, body read and checked against the
             document's schema (12 objects with integer, maxLength, email format and array
             checks, additionalProperties: false), then forwarded with a Content-Length

Before the run, each target must answer 200 with the upstream's body, and an invalid request
(limit=500; the body with one property too many) must get 400 GH_ERR_REQUEST_INVALID from the -on
targets and 200 from the -off targets: validation is in force where it should be, and only there.

The upstream is nginx \`return 200\` when installed (else the node:http upstream of bench/upstream.ts).
\`return\` answers in nginx's rewrite phase, before any static-file handler, so a POST gets the same
200 as a GET rather than the 405 nginx gives a POST to a static file; nginx reads the body and
discards it. The node upstream drains the body and answers the same. Both are checked to answer
POST before the run, so the POST rows cost the upstream no more than reading 1 KiB.

Rounds are interleaved (every target once per round, the first one rotating); figures are medians
over rounds, ratios medians of same-round pairs. The gateway's CPU per request is read from /proc
before and after each run; "by CPU" ratios say what the req/s ratio would be on an undisturbed core.
Bars at c${BAR_CONNECTIONS}: get-on/get-off and post-on/post-off ≥ ${MIN_RATIO} (validation may cost at most
10 % of req/s), and no failed request in the gateway's rows.

Options:
  --duration S        seconds per wrk run (default 10)
  --rounds N          rounds; every target runs once per round and connection count (default 3)
  --connections LIST  comma-separated connection counts (default 64)
  --warmup S          seconds of unmeasured load per target before round 1 (default 2; 0: none)
  --targets LIST      some of ${OPENAPI_TARGETS.join(',')} (default: all)
  --upstream KIND     auto, nginx or node (default auto: nginx when installed)
  --json              print one JSON object with all figures on the last line of stdout
  --check             exit 1 when a bar is missed (default: report PASS/FAIL only)
  -h, --help          this help`

const JSON_HEADERS = { 'content-type': 'application/json' }

/** The requests a target sends: what wrk loads it with, and an invalid variant for the check. */
interface TargetRequests {
  url: string
  valid: RequestOptions
  invalid: RequestOptions
  invalidUrl: string
}

function getRequests(base: string): TargetRequests {
  return { url: `${base}?${VALID_QUERY}`, valid: {}, invalidUrl: `${base}?${INVALID_QUERY}`, invalid: {} }
}

function postRequests(base: string): TargetRequests {
  return {
    url: base,
    valid: { method: 'POST', headers: JSON_HEADERS, body: validBody() },
    invalidUrl: base,
    invalid: { method: 'POST', headers: JSON_HEADERS, body: invalidBody() },
  }
}

const requestLine = (url: string, options: RequestOptions): string => `${options.method ?? 'GET'} ${url}`

/** The answer must be the upstream's exact body. */
async function expectUpstreamBody(name: string, url: string, options: RequestOptions, upstream: BenchUpstream): Promise<void> {
  const answer = await requestOnce(url, options)
  if (answer.status !== 200 || answer.body !== upstream.body) {
    throw new Error(`${name}: ${requestLine(url, options)} answered ${answer.status} ${JSON.stringify(answer.body.slice(0, 200))}, expected 200 ${JSON.stringify(upstream.body)}`)
  }
}

/** With validation on, the invalid request must be refused; with it off, forwarded like any other. */
async function checkTarget(name: string, requests: TargetRequests, validated: boolean, upstream: BenchUpstream): Promise<void> {
  await expectUpstreamBody(name, requests.url, requests.valid, upstream)
  const { invalidUrl, invalid } = requests
  if (!validated) {
    await expectUpstreamBody(`${name} (an invalid request, which nothing should check)`, invalidUrl, invalid, upstream)
    return
  }
  const refused = await requestOnce(invalidUrl, invalid)
  const code = /"code"\s*:\s*"([^"]+)"/.exec(refused.body)?.[1]
  if (refused.status !== 400 || code !== 'GH_ERR_REQUEST_INVALID') {
    throw new Error(`${name}: the invalid ${requestLine(invalidUrl, invalid)} answered ${refused.status} ${code ?? JSON.stringify(refused.body.slice(0, 200))}, expected 400 GH_ERR_REQUEST_INVALID: validation is not in force`)
  }
}

interface Prepared {
  targets: WrkTarget[]
  skipped: Record<string, string>
}

type GatewayTargetName = Exclude<OpenApiTargetName, 'direct'>
const GATEWAY_ROWS: Record<GatewayTargetName, { api: keyof typeof PREFIXES; method: 'GET' | 'POST' }> = {
  'get-off': { api: 'off', method: 'GET' },
  'get-on': { api: 'on', method: 'GET' },
  'post-off': { api: 'off', method: 'POST' },
  'post-on': { api: 'on', method: 'POST' },
}

async function prepareTargets(scope: RunScope, upstream: BenchUpstream, names: readonly OpenApiTargetName[], pinning: Pinning | undefined, log: (line: string) => void): Promise<Prepared> {
  const prepared: Prepared = { targets: [], skipped: {} }
  const direct = getRequests(upstream.origin + upstream.path)
  await Promise.all([
    expectUpstreamBody('direct', direct.url, direct.valid, upstream),
    expectUpstreamBody('direct POST', direct.url, postRequests(direct.url).valid, upstream),
  ]).catch((error: Error) => {
    throw new BenchError(`the upstream does not answer correctly: ${error.message}`)
  })
  if (names.includes('direct')) prepared.targets.push({ name: 'direct', url: direct.url })
  const gatewayRows = names.filter((name): name is GatewayTargetName => name !== 'direct')
  if (gatewayRows.length === 0) return prepared

  let gateway: OpenApiGateway
  try {
    gateway = await startOpenApiGateway(scope, upstream, pinning?.proxyCpu)
  } catch (error) {
    for (const name of gatewayRows) prepared.skipped[name] = (error as Error).message
    log(`skipping ${gatewayRows.join(', ')}: ${(error as Error).message}`)
    return prepared
  }
  const script = join(scope.tempDir('gatehouse-bench-openapi-wrk'), 'post.lua')
  writeFileSync(script, postScript(validBody()))
  for (const name of gatewayRows) {
    const { api, method } = GATEWAY_ROWS[name]
    const base = gateway.origin + PREFIXES[api] + API_PATH
    const requests = method === 'GET' ? getRequests(base) : postRequests(base)
    try {
      await checkTarget(name, requests, api === 'on', upstream)
      prepared.targets.push({ name, url: requests.url, process: gateway.process, ...(method === 'POST' ? { wrk: { script } } : {}) })
    } catch (error) {
      prepared.skipped[name] = (error as Error).message
      log(`skipping ${name}: ${(error as Error).message}`)
    }
  }
  return prepared
}

async function runOpenApi(argv: string[], io: BenchIo): Promise<number> {
  const flags = parseScenarioArgs('openapi', argv, OPTIONS)
  if (flags.help === true) {
    io.out(HELP + '\n')
    return 0
  }
  const durationS = numberFlag('duration', flags.duration, 10, { min: 1, integer: true })
  const rounds = numberFlag('rounds', flags.rounds, 3, { min: 1, integer: true })
  const warmupS = numberFlag('warmup', flags.warmup, 2, { min: 0, integer: true })
  const connections = integerListFlag('connections', flags.connections, [64])
  const targetNames = choiceListFlag('targets', flags.targets, OPENAPI_TARGETS)
  const upstreamChoice = choiceFlag<UpstreamChoice>('upstream', flags.upstream, ['auto', 'nginx', 'node'], 'auto')
  const log = (line: string): void => io.err(line + '\n')

  ensureWrk(log)
  const [loadAvg] = loadavg()
  if (loadAvg > 0.5) log(`warning: load average is ${loadAvg.toFixed(2)} before the run; other processes compete for the cores`)
  const detected = detectPinning()
  const pinning: Pinning | undefined = 'reason' in detected ? undefined : detected
  if ('reason' in detected) log(`not pinning processes to cores: ${detected.reason}; figures will be noisier`)

  const scope = new RunScope()
  const restoreSignals = scope.handleInterrupts(log)
  try {
    const upstream = await startBenchUpstream(scope, { choice: upstreamChoice, cpu: pinning?.loadCpu })
    log(`upstream: ${upstream.kind === 'nginx' ? 'nginx return 200' : 'node:http'} on ${upstream.origin}${pinning === undefined ? '' : ` (core ${pinning.loadCpu}, shared with wrk)`}`)
    const prepared = await prepareTargets(scope, upstream, targetNames, pinning, log)
    const samples = await runMeasuredRounds(scope, { targets: prepared.targets, connections, rounds, durationS, warmupS, wrkCpu: pinning?.loadCpu }, log)

    const report = buildReport(samples, targetNames, connections)
    const cores = pinning === undefined ? 'unpinned' : `gateway on core ${pinning.proxyCpu}, wrk + upstream on core ${pinning.loadCpu}`
    io.out(`openapi: GET ${API_PATH}?${VALID_QUERY} and POST ${API_PATH} (${BODY_BYTES}-byte JSON), validation off / on, upstream ${upstream.kind}, ${cores}; ${rounds} round(s) × ${durationS} s, medians\n\n`)
    io.out(formatReport(report) + '\n')
    for (const [name, reason] of Object.entries(prepared.skipped)) io.out(`skipped ${name}: ${reason.split('\n')[0]}\n`)
    if (flags.json === true) {
      const context = { upstream: upstream.kind, pinning: pinning ?? null, durationS, rounds, warmupS, loadAvg1m: loadAvg, getQuery: VALID_QUERY, bodyBytes: BODY_BYTES, skipped: prepared.skipped }
      printJsonLine(reportJson(report, context), io.out)
    }
    const missed = report.bars.filter((b) => b.status !== 'PASS')
    if (flags.check !== true || missed.length === 0) return 0
    log(`--check: ${missed.length} bar(s) not passed: ${missed.map((b) => `${b.key} ${b.status}`).join(', ')}`)
    return 1
  } finally {
    await scope.close()
    restoreSignals()
  }
}

export const openapi: Scenario = {
  name: 'openapi',
  summary: 'GET and 1 KiB JSON POST through an API declared by an OpenAPI document, request validation off vs on; ratios on/off',
  help: HELP,
  run: runOpenApi,
}
