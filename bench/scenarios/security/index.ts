// `gatehouse bench security`: the usual security profiles of a gateway in one run, as routes of
// one gateway pinned to one core (pass-through, API key, OAuth with reused tokens, OAuth with a
// fresh token per request) and the upstream directly; medians and ratios to the pass-through route.
import { writeFileSync } from 'node:fs'
import { loadavg } from 'node:os'
import { join } from 'node:path'
import { startBenchUpstream, type BenchUpstream, type UpstreamChoice } from '../../lib/bench-upstream.ts'
import { detectPinning, type Pinning } from '../../lib/cpus.ts'
import { BenchError } from '../../lib/errors.ts'
import { requestOnce } from '../../lib/http-request.ts'
import { printJsonLine } from '../../lib/json-line.ts'
import { runMeasuredRounds, type WrkTarget } from '../../lib/measured-rounds.ts'
import { choiceFlag, choiceListFlag, COMMON_OPTIONS, integerListFlag, numberFlag, parseScenarioArgs } from '../../lib/options.ts'
import { RunScope } from '../../lib/run-scope.ts'
import { ensureWrk } from '../../lib/wrk.ts'
import type { BenchIo, Scenario } from '../scenario.ts'
import { fetchTokens, PREFIXES, SIGNING_ALGORITHMS, startSecurityGateway, type SecurityGateway, type SigningAlgorithm } from './gateway.ts'
import { buildReport, formatReport, reportJson, SECURITY_TARGETS, type SecurityTargetName } from './report.ts'
import { freshTokenScript, REUSE, reusedTokenScript } from './wrk-scripts.ts'

const OPTIONS = {
  ...COMMON_OPTIONS,
  targets: { type: 'string' },
  upstream: { type: 'string' },
  tokens: { type: 'string' },
  algorithm: { type: 'string' },
} as const

/** The jwt policy's default verified-token cache size; oauth-fresh needs more tokens than this. */
const JWT_CACHE_ENTRIES = 10_000

const HELP = `gatehouse bench security [options]

Loads GET /v1/data (a 9-byte JSON answer) with wrk (-t1 --latency) through one gateway (one
worker, access log and metrics on) pinned to one core, over one route per security profile, and
prints medians and ratios to the pass-through route. wrk and the upstream share the other core.

Targets:
  direct        the upstream itself
  passthrough   a route without policies
  api-key       the api-key policy (X-API-Key of a consumer in the config file)
  oauth-reused  the jwt policy with keyManager: true; every ${REUSE + 1}st request fetches a token from the
                gateway's own token endpoint (client credentials), the others reuse the newest
  oauth-fresh   the same route, a different token on every request (fetched before the run), so
                the verified-token cache always misses

Options:
  --duration S        seconds per wrk run (default 10)
  --rounds N          rounds; every target runs once per round and connection count (default 3)
  --connections LIST  comma-separated connection counts (default 64)
  --warmup S          seconds of unmeasured load per target before round 1 (default 2; 0: none)
  --targets LIST      some of ${SECURITY_TARGETS.join(',')} (default: all)
  --upstream KIND     auto, nginx or node (default auto: nginx when installed)
  --tokens N          tokens oauth-fresh cycles through (default 12000; more than the ${JWT_CACHE_ENTRIES}
                      the verified-token cache holds)
  --algorithm ALG     the key manager's signing algorithm: ${SIGNING_ALGORITHMS.join(', ')} (default ES256,
                      its own default); it sets the cost of oauth-fresh (a verification per request)
  --json              print one JSON object with all figures on the last line of stdout
  --check             exit 1 when a bar is missed (default: report PASS/FAIL only)
  -h, --help          this help`

/** The target's answer must be the upstream's exact body, and an unauthenticated request a 401. */
async function check(name: string, url: string, headers: Record<string, string>, upstream: BenchUpstream, mustRefuseWithout: boolean): Promise<void> {
  const answer = await requestOnce(url, { headers })
  if (answer.status !== 200 || answer.body !== upstream.body) {
    throw new Error(`${name}: GET ${url} answered ${answer.status} ${JSON.stringify(answer.body.slice(0, 200))}, expected 200 ${JSON.stringify(upstream.body)}`)
  }
  if (!mustRefuseWithout) return
  const refused = await requestOnce(url)
  if (refused.status !== 401) throw new Error(`${name}: GET ${url} without credentials answered ${refused.status}, expected 401: the policy is not in force`)
}

interface Prepared {
  targets: WrkTarget[]
  skipped: Record<string, string>
  gateway?: SecurityGateway
}

interface PrepareOptions {
  names: readonly SecurityTargetName[]
  pinning: Pinning | undefined
  tokens: number
  algorithm: SigningAlgorithm
}

async function prepareTargets(scope: RunScope, upstream: BenchUpstream, options: PrepareOptions, log: (line: string) => void): Promise<Prepared> {
  const { names, pinning, tokens, algorithm } = options
  const prepared: Prepared = { targets: [], skipped: {} }
  const direct = upstream.origin + upstream.path
  await check('direct', direct, {}, upstream, false).catch((error: Error) => {
    throw new BenchError(`the upstream does not answer correctly: ${error.message}`)
  })
  if (names.includes('direct')) prepared.targets.push({ name: 'direct', url: direct })
  const gatewayRows = names.filter((name) => name !== 'direct')
  if (gatewayRows.length === 0) return prepared

  let gateway: SecurityGateway
  try {
    gateway = await startSecurityGateway(scope, upstream, pinning?.proxyCpu, algorithm)
  } catch (error) {
    for (const name of gatewayRows) prepared.skipped[name] = (error as Error).message
    log(`skipping ${gatewayRows.join(', ')}: ${(error as Error).message}`)
    return prepared
  }
  prepared.gateway = gateway
  const dir = scope.tempDir('gatehouse-bench-security-wrk')
  const urlOf = (prefix: string): string => gateway.origin + prefix + upstream.path
  const apiPathOf = (prefix: string): string => prefix + upstream.path
  const starters: Record<Exclude<SecurityTargetName, 'direct'>, () => Promise<WrkTarget>> = {
    async passthrough() {
      await check('passthrough', urlOf(PREFIXES.passthrough), {}, upstream, false)
      return { name: 'passthrough', url: urlOf(PREFIXES.passthrough), process: gateway.process }
    },
    async 'api-key'() {
      const header = `X-API-Key: ${gateway.apiKey}`
      await check('api-key', urlOf(PREFIXES.apiKey), { 'x-api-key': gateway.apiKey }, upstream, true)
      return { name: 'api-key', url: urlOf(PREFIXES.apiKey), process: gateway.process, wrk: { headers: [header] } }
    },
    async 'oauth-reused'() {
      const script = join(dir, 'oauth-reused.lua')
      writeFileSync(script, reusedTokenScript({ apiPath: apiPathOf(PREFIXES.oauth), tokenPath: gateway.tokenPath, authorization: gateway.clientAuthorization }))
      const [token] = await fetchTokens(gateway, 1, 1)
      await check('oauth-reused', urlOf(PREFIXES.oauth), { authorization: `Bearer ${token}` }, upstream, true)
      return { name: 'oauth-reused', url: urlOf(PREFIXES.oauth), process: gateway.process, wrk: { script } }
    },
    async 'oauth-fresh'() {
      const tokensFile = join(dir, 'fresh-tokens.txt')
      const started = Date.now()
      writeFileSync(tokensFile, (await fetchTokens(gateway, tokens)).join('\n') + '\n')
      log(`oauth-fresh: fetched ${tokens} tokens in ${((Date.now() - started) / 1000).toFixed(1)} s`)
      const script = join(dir, 'oauth-fresh.lua')
      writeFileSync(script, freshTokenScript({ apiPath: apiPathOf(PREFIXES.oauth), tokensFile, stateFile: join(dir, 'oauth-fresh.position') }))
      return { name: 'oauth-fresh', url: urlOf(PREFIXES.oauth), process: gateway.process, wrk: { script } }
    },
  }
  for (const name of gatewayRows) {
    try {
      prepared.targets.push(await starters[name as Exclude<SecurityTargetName, 'direct'>]())
    } catch (error) {
      prepared.skipped[name] = (error as Error).message
      log(`skipping ${name}: ${(error as Error).message}`)
    }
  }
  return prepared
}

async function runSecurity(argv: string[], io: BenchIo): Promise<number> {
  const flags = parseScenarioArgs('security', argv, OPTIONS)
  if (flags.help === true) {
    io.out(HELP + '\n')
    return 0
  }
  const durationS = numberFlag('duration', flags.duration, 10, { min: 1, integer: true })
  const rounds = numberFlag('rounds', flags.rounds, 3, { min: 1, integer: true })
  const warmupS = numberFlag('warmup', flags.warmup, 2, { min: 0, integer: true })
  const connections = integerListFlag('connections', flags.connections, [64])
  const targetNames = choiceListFlag('targets', flags.targets, SECURITY_TARGETS)
  const upstreamChoice = choiceFlag<UpstreamChoice>('upstream', flags.upstream, ['auto', 'nginx', 'node'], 'auto')
  const tokens = numberFlag('tokens', flags.tokens, 12_000, { min: 1, integer: true })
  const algorithm = choiceFlag<SigningAlgorithm>('algorithm', flags.algorithm, SIGNING_ALGORITHMS, 'ES256')
  const log = (line: string): void => io.err(line + '\n')
  if (targetNames.includes('oauth-fresh') && tokens <= JWT_CACHE_ENTRIES) {
    log(`warning: --tokens ${tokens} fit in the verified-token cache (${JWT_CACHE_ENTRIES}); oauth-fresh will hit it once they repeat`)
  }

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
    const prepared = await prepareTargets(scope, upstream, { names: targetNames, pinning, tokens, algorithm }, log)
    const samples = await runMeasuredRounds(scope, { targets: prepared.targets, connections, rounds, durationS, warmupS, wrkCpu: pinning?.loadCpu }, log)

    const report = buildReport(samples, targetNames, connections)
    const cores = pinning === undefined ? 'unpinned' : `gateway on core ${pinning.proxyCpu}, wrk + upstream on core ${pinning.loadCpu}`
    io.out(`security: GET ${upstream.path}, upstream ${upstream.kind}, ${cores}, tokens signed ${algorithm}; ${rounds} round(s) × ${durationS} s, medians\n\n`)
    io.out(formatReport(report) + '\n')
    for (const [name, reason] of Object.entries(prepared.skipped)) io.out(`skipped ${name}: ${reason.split('\n')[0]}\n`)
    if (flags.json === true) {
      const context = { upstream: upstream.kind, pinning: pinning ?? null, durationS, rounds, warmupS, loadAvg1m: loadAvg, freshTokens: tokens, reuse: REUSE, algorithm, skipped: prepared.skipped }
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

export const security: Scenario = {
  name: 'security',
  summary: 'pass-through, API key and OAuth (reused / fresh tokens) routes of one gateway vs the direct upstream; ratios to pass-through',
  help: HELP,
  run: runSecurity,
}
