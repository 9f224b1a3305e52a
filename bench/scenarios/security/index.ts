// `gatehouse bench security`: the usual security profiles of a gateway in one run, as routes of
// one gateway pinned to one core (pass-through, API key, OAuth with reused tokens, OAuth with a
// fresh token per request) and the upstream directly; medians and ratios to the pass-through route.
import { writeFileSync } from 'node:fs'
import { join } from 'node:path'
import type { BenchUpstream, UpstreamChoice } from '../../lib/bench-upstream.ts'
import { expectUpstreamBody, prepareGatewayTargets } from '../../lib/gateway-targets.ts'
import { requestOnce } from '../../lib/http-request.ts'
import { runMeasuredRounds, type WrkTarget } from '../../lib/measured-rounds.ts'
import { choiceFlag, choiceListFlag, numberFlag, OUTPUT_HELP, roundsHelp, TARGET_OPTIONS, targetsHelp } from '../../lib/options.ts'
import type { RunScope } from '../../lib/run-scope.ts'
import { coresText, defineScenario, skippedNotes, startUpstream, upstreamFlag, type Log, type ScenarioOutcome, type ScenarioRun } from '../../lib/scenario-run.ts'
import { fetchTokens, fetchTokensFromAnotherProcess, PREFIXES, SIGNING_ALGORITHMS, startSecurityGateway, type SecurityGateway, type SigningAlgorithm } from './gateway.ts'
import { buildReport, formatReport, reportJson, SECURITY_TARGETS, type SecurityTargetName } from './report.ts'
import { freshTokenScript, REUSE, reusedTokenScript } from './wrk-scripts.ts'

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
${roundsHelp('64')}
${targetsHelp(SECURITY_TARGETS)}
  --tokens N          tokens oauth-fresh cycles through (default 12000; more than the ${JWT_CACHE_ENTRIES}
                      the verified-token cache holds)
  --algorithm ALG     the key manager's signing algorithm: ${SIGNING_ALGORITHMS.join(', ')} (default ES256,
                      its own default); it sets the cost of oauth-fresh (a verification per request)
${OUTPUT_HELP}`

/** The target's answer must be the upstream's exact body, and with `mustRefuseWithout` an unauthenticated request a 401. */
async function check(name: string, url: string, headers: Record<string, string>, upstream: BenchUpstream, mustRefuseWithout: boolean): Promise<void> {
  await expectUpstreamBody(name, url, { headers }, upstream)
  if (!mustRefuseWithout) return
  const refused = await requestOnce(url)
  if (refused.status !== 401) throw new Error(`${name}: GET ${url} without credentials answered ${refused.status}, expected 401: the policy is not in force`)
}

interface SecuritySettings {
  names: SecurityTargetName[]
  upstream: UpstreamChoice
  tokens: number
  algorithm: SigningAlgorithm
}

type GatewayRow = Exclude<SecurityTargetName, 'direct'>

/** Per row of the gateway: check it (its policy in force where it has one), write its wrk script, return the target. */
function rowStarters(scope: RunScope, upstream: BenchUpstream, gateway: SecurityGateway, tokens: number, log: Log): Record<GatewayRow, () => Promise<WrkTarget>> {
  const dir = scope.tempDir('gatehouse-bench-security-wrk')
  const urlOf = (prefix: string): string => gateway.origin + prefix + upstream.path
  const apiPathOf = (prefix: string): string => prefix + upstream.path
  return {
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
      writeFileSync(tokensFile, (await fetchTokensFromAnotherProcess(scope, gateway, tokens)).join('\n') + '\n')
      log(`oauth-fresh: fetched ${tokens} tokens from a second process sharing the store in ${((Date.now() - started) / 1000).toFixed(1)} s`)
      const script = join(dir, 'oauth-fresh.lua')
      writeFileSync(script, freshTokenScript({ apiPath: apiPathOf(PREFIXES.oauth), tokensFile, stateFile: join(dir, 'oauth-fresh.position') }))
      return { name: 'oauth-fresh', url: urlOf(PREFIXES.oauth), process: gateway.process, wrk: { script } }
    },
  }
}

async function measure(run: ScenarioRun, settings: SecuritySettings): Promise<ScenarioOutcome> {
  const { names, tokens, algorithm } = settings
  const upstream = await startUpstream(run, settings.upstream)
  const direct = upstream.origin + upstream.path
  const prepared = await prepareGatewayTargets({
    names,
    direct: { name: 'direct', url: direct },
    checkUpstream: () => check('direct', direct, {}, upstream, false),
    startGateway: async () => rowStarters(run.scope, upstream, await startSecurityGateway(run.scope, upstream, run.pinning?.proxyCpu, algorithm), tokens, run.log),
    gatewayTarget: (name, rows) => rows[name as GatewayRow](),
  }, run.log)
  const samples = await runMeasuredRounds(run.scope, { targets: prepared.targets, connections: run.connections, rounds: run.rounds, durationS: run.durationS, warmupS: run.warmupS, wrkCpu: run.pinning?.loadCpu }, run.log)
  const report = buildReport(samples, names, run.connections)
  return {
    title: `security: GET ${upstream.path}, upstream ${upstream.kind}, ${coresText(run.pinning, 'gateway', 'wrk + upstream')}, tokens signed ${algorithm}`,
    report: formatReport(report),
    notes: skippedNotes(prepared.skipped),
    bars: report.bars,
    json: () => reportJson(report, { ...run.context, upstream: upstream.kind, freshTokens: tokens, reuse: REUSE, algorithm, skipped: prepared.skipped }),
  }
}

export const security = defineScenario({
  name: 'security',
  summary: 'pass-through, API key and OAuth (reused / fresh tokens) routes of one gateway vs the direct upstream; ratios to pass-through',
  help: HELP,
  options: { ...TARGET_OPTIONS, tokens: { type: 'string' }, algorithm: { type: 'string' } },
  defaultConnections: [64],
  settings(flags, log): SecuritySettings {
    const names = choiceListFlag('targets', flags.targets, SECURITY_TARGETS)
    const upstream = upstreamFlag(flags.upstream)
    const tokens = numberFlag('tokens', flags.tokens, 12_000, { min: 1, integer: true })
    const algorithm = choiceFlag<SigningAlgorithm>('algorithm', flags.algorithm, SIGNING_ALGORITHMS, 'ES256')
    if (names.includes('oauth-fresh') && tokens <= JWT_CACHE_ENTRIES) {
      log(`warning: --tokens ${tokens} fit in the verified-token cache (${JWT_CACHE_ENTRIES}); oauth-fresh will hit it once they repeat`)
    }
    return { names, upstream, tokens, algorithm }
  },
  measure,
})
