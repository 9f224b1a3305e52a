// `gatehouse bench token`: the key manager's token endpoint on one core. client_credentials,
// password and refresh_token grants against gateways signing RS256 and ES256, with access-token
// persistence on and off, measured with wrk and interleaved over rounds; WSO2's published figures
// are printed beside as a reference.
import { choiceListFlag, numberFlag, OUTPUT_HELP, roundsHelp } from '../../lib/options.ts'
import { coresText, defineScenario, type ScenarioOutcome, type ScenarioRun } from '../../lib/scenario-run.ts'
import { ALGORITHMS, DEFAULT_SCRYPT_N, PERSISTENCE, startTokenGateway, type Algorithm, type Persistence } from './gateways.ts'
import { runTokenRounds, tokenLoad, type TokenLoad } from './measure.ts'
import { BARS, buildReport, formatReport, GRANTS, reportJson, type GrantName, type TokenTarget } from './report.ts'

const HELP = `gatehouse bench token [options]

POSTs to the key manager's token endpoint with wrk (-t1 --latency, a Lua script per grant) and
prints tokens per second, p50 and p99, medians over interleaved rounds. Each gateway runs on one
core (workers: 1), wrk on the other. One gateway per signing algorithm and persistence setting,
each with its own SQLite store; one confidential client (client_secret_basic) and one user per
two connections (so concurrent logins never reach the per-username throttle).

Grants:
  client_credentials  the same request every time
  password            username and password; each login costs one scrypt hash (--scrypt-n)
  refresh             every request uses a refresh token once and queues the one it gets back

Bars: client credentials ≥ ${BARS.clientCredentialsRps.RS256} tokens/s per core with RS256 and ≥ ${BARS.clientCredentialsRps.ES256} with
ES256 (persistence on and off); persistence on ≥ ${BARS.persistenceRatio}× off for each grant and algorithm.

Options:
${roundsHelp('64', '; bars use the highest')}
  --grants LIST       some of ${GRANTS.join(',')} (default: all)
  --algorithms LIST   some of ${ALGORITHMS.join(',')} (default: all)
  --persistence LIST  some of ${PERSISTENCE.join(',')} (default: both)
  --scrypt-n N        passwordHashing.N of the bench user (default ${DEFAULT_SCRYPT_N}, the key manager's default; r = 8, p = 1)
${OUTPUT_HELP}`

interface TokenSettings {
  grants: GrantName[]
  algorithms: Algorithm[]
  persistence: Persistence[]
  scryptN: number
}

async function measure(run: ScenarioRun, settings: TokenSettings): Promise<ScenarioOutcome> {
  const { grants, algorithms, persistence, scryptN } = settings
  const scripts = run.scope.tempDir('gatehouse-bench-token-scripts')
  const targets: TokenTarget[] = []
  const loads: TokenLoad[] = []
  for (const algorithm of algorithms) {
    for (const setting of persistence) {
      run.log(`starting gatehouse (${algorithm}, persistence ${setting}, scrypt N=${scryptN})`)
      const gateway = await startTokenGateway(run.scope, { algorithm, persistence: setting, scryptN, connections: Math.max(...run.connections), cpu: run.pinning?.proxyCpu })
      for (const grant of grants) {
        const target: TokenTarget = { grant, algorithm, persistence: setting }
        targets.push(target)
        loads.push(tokenLoad(target, gateway, scripts))
      }
    }
  }
  const samples = await runTokenRounds(run.scope, { loads, connections: run.connections, rounds: run.rounds, durationS: run.durationS, warmupS: run.warmupS, wrkCpu: run.pinning?.loadCpu }, run.log)
  const report = buildReport(samples, targets, run.connections)
  return {
    title: `token: POST /oauth2/token, ${coresText(run.pinning, 'gateway', 'wrk')}; scrypt N=${scryptN} r=8 p=1`,
    report: formatReport(report),
    notes: [],
    bars: report.bars,
    json: () => reportJson(report, { ...run.context, scryptN }),
  }
}

export const token = defineScenario({
  name: 'token',
  summary: 'the key manager\'s token endpoint on one core: client credentials, password, refresh; RS256/ES256; persistence on/off',
  help: HELP,
  options: {
    grants: { type: 'string' },
    algorithms: { type: 'string' },
    persistence: { type: 'string' },
    'scrypt-n': { type: 'string' },
  },
  defaultConnections: [64],
  settings: (flags): TokenSettings => ({
    grants: choiceListFlag('grants', flags.grants, GRANTS),
    algorithms: choiceListFlag('algorithms', flags.algorithms, ALGORITHMS),
    persistence: choiceListFlag('persistence', flags.persistence, PERSISTENCE),
    scryptN: numberFlag('scrypt-n', flags['scrypt-n'], DEFAULT_SCRYPT_N, { min: 1024, integer: true }),
  }),
  measure,
})
