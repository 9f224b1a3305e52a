// `gatehouse bench openapi`: what request validation against an OpenAPI document costs. One
// gateway pinned to one core serves the same document as two APIs, validation off and on; a GET
// with two query parameters and a POST with a 1 KiB JSON body go through each, and the upstream
// directly is the reference. Medians, and ratios of each validated row to its unvalidated twin.
import { writeFileSync } from 'node:fs'
import { join } from 'node:path'
import type { BenchUpstream, UpstreamChoice } from '../../lib/bench-upstream.ts'
import { expectUpstreamBody, prepareGatewayTargets, requestLine } from '../../lib/gateway-targets.ts'
import { requestOnce, type RequestOptions } from '../../lib/http-request.ts'
import { runMeasuredRounds } from '../../lib/measured-rounds.ts'
import { choiceListFlag, OUTPUT_HELP, roundsHelp, TARGET_OPTIONS, targetsHelp } from '../../lib/options.ts'
import { coresText, defineScenario, skippedNotes, startUpstream, upstreamFlag, type ScenarioOutcome, type ScenarioRun } from '../../lib/scenario-run.ts'
import { API_PATH, PREFIXES, startOpenApiGateway } from './gateway.ts'
import { BODY_BYTES, invalidBody, INVALID_QUERY, postScript, VALID_QUERY, validBody } from './requests.ts'
import { BAR_CONNECTIONS, buildReport, formatReport, MIN_RATIO, OPENAPI_TARGETS, reportJson, type OpenApiTargetName } from './report.ts'

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
${roundsHelp('64')}
${targetsHelp(OPENAPI_TARGETS)}
${OUTPUT_HELP}`

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

type GatewayTargetName = Exclude<OpenApiTargetName, 'direct'>
const GATEWAY_ROWS: Record<GatewayTargetName, { api: keyof typeof PREFIXES; method: 'GET' | 'POST' }> = {
  'get-off': { api: 'off', method: 'GET' },
  'get-on': { api: 'on', method: 'GET' },
  'post-off': { api: 'off', method: 'POST' },
  'post-on': { api: 'on', method: 'POST' },
}

interface OpenApiSettings {
  names: OpenApiTargetName[]
  upstream: UpstreamChoice
}

async function measure(run: ScenarioRun, settings: OpenApiSettings): Promise<ScenarioOutcome> {
  const upstream = await startUpstream(run, settings.upstream)
  const direct = getRequests(upstream.origin + upstream.path)
  const prepared = await prepareGatewayTargets({
    names: settings.names,
    direct: { name: 'direct', url: direct.url },
    checkUpstream: async () => void await Promise.all([
      expectUpstreamBody('direct', direct.url, direct.valid, upstream),
      expectUpstreamBody('direct POST', direct.url, postRequests(direct.url).valid, upstream),
    ]),
    async startGateway() {
      const gateway = await startOpenApiGateway(run.scope, upstream, run.pinning?.proxyCpu)
      const script = join(run.scope.tempDir('gatehouse-bench-openapi-wrk'), 'post.lua')
      writeFileSync(script, postScript(validBody()))
      return { ...gateway, script }
    },
    async gatewayTarget(name, gateway) {
      const { api, method } = GATEWAY_ROWS[name as GatewayTargetName]
      const base = gateway.origin + PREFIXES[api] + API_PATH
      const requests = method === 'GET' ? getRequests(base) : postRequests(base)
      await checkTarget(name, requests, api === 'on', upstream)
      return { name, url: requests.url, process: gateway.process, ...(method === 'POST' ? { wrk: { script: gateway.script } } : {}) }
    },
  }, run.log)
  const samples = await runMeasuredRounds(run.scope, { targets: prepared.targets, connections: run.connections, rounds: run.rounds, durationS: run.durationS, warmupS: run.warmupS, wrkCpu: run.pinning?.loadCpu }, run.log)
  const report = buildReport(samples, settings.names, run.connections)
  return {
    title: `openapi: GET ${API_PATH}?${VALID_QUERY} and POST ${API_PATH} (${BODY_BYTES}-byte JSON), validation off / on, upstream ${upstream.kind}, ${coresText(run.pinning, 'gateway', 'wrk + upstream')}`,
    report: formatReport(report),
    notes: skippedNotes(prepared.skipped),
    bars: report.bars,
    json: () => reportJson(report, { ...run.context, upstream: upstream.kind, getQuery: VALID_QUERY, bodyBytes: BODY_BYTES, skipped: prepared.skipped }),
  }
}

export const openapi = defineScenario({
  name: 'openapi',
  summary: 'GET and 1 KiB JSON POST through an API declared by an OpenAPI document, request validation off vs on; ratios on/off',
  help: HELP,
  options: TARGET_OPTIONS,
  defaultConnections: [64],
  settings: (flags): OpenApiSettings => ({ names: choiceListFlag('targets', flags.targets, OPENAPI_TARGETS), upstream: upstreamFlag(flags.upstream) }),
  measure,
})
