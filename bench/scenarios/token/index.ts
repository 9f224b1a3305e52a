// `gatehouse bench token`: the key manager's token endpoint on one core. client_credentials,
// password and refresh_token grants against gateways signing RS256 and ES256, with access-token
// persistence on and off, measured with wrk and interleaved over rounds; WSO2's published figures
// are printed beside as a reference.
import { loadavg } from 'node:os'
import { detectPinning, type Pinning } from '../../lib/cpus.ts'
import { printJsonLine } from '../../lib/json-line.ts'
import { choiceListFlag, COMMON_OPTIONS, integerListFlag, numberFlag, parseScenarioArgs } from '../../lib/options.ts'
import { RunScope } from '../../lib/run-scope.ts'
import { ensureWrk } from '../../lib/wrk.ts'
import type { BenchIo, Scenario } from '../scenario.ts'
import { ALGORITHMS, DEFAULT_SCRYPT_N, PERSISTENCE, startTokenGateway, type TokenGateway } from './gateways.ts'
import { runTokenRounds, tokenLoad } from './measure.ts'
import { BARS, buildReport, formatReport, GRANTS, reportJson, type TokenTarget } from './report.ts'

const OPTIONS = {
  ...COMMON_OPTIONS,
  grants: { type: 'string' },
  algorithms: { type: 'string' },
  persistence: { type: 'string' },
  'scrypt-n': { type: 'string' },
} as const

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
  --duration S        seconds per wrk run (default 10)
  --rounds N          rounds; every target runs once per round and connection count (default 3)
  --connections LIST  comma-separated connection counts (default 64); bars use the highest
  --warmup S          seconds of unmeasured load per target before round 1 (default 2; 0: none)
  --grants LIST       some of ${GRANTS.join(',')} (default: all)
  --algorithms LIST   some of ${ALGORITHMS.join(',')} (default: all)
  --persistence LIST  some of ${PERSISTENCE.join(',')} (default: both)
  --scrypt-n N        passwordHashing.N of the bench user (default ${DEFAULT_SCRYPT_N}, the key manager's default; r = 8, p = 1)
  --json              print one JSON object with all figures on the last line of stdout
  --check             exit 1 when a bar is missed (default: report PASS/FAIL only)
  -h, --help          this help`

async function runToken(argv: string[], io: BenchIo): Promise<number> {
  const flags = parseScenarioArgs('token', argv, OPTIONS)
  if (flags.help === true) {
    io.out(HELP + '\n')
    return 0
  }
  const durationS = numberFlag('duration', flags.duration, 10, { min: 1, integer: true })
  const rounds = numberFlag('rounds', flags.rounds, 3, { min: 1, integer: true })
  const warmupS = numberFlag('warmup', flags.warmup, 2, { min: 0, integer: true })
  const connections = integerListFlag('connections', flags.connections, [64])
  const grants = choiceListFlag('grants', flags.grants, GRANTS)
  const algorithms = choiceListFlag('algorithms', flags.algorithms, ALGORITHMS)
  const persistence = choiceListFlag('persistence', flags.persistence, PERSISTENCE)
  const scryptN = numberFlag('scrypt-n', flags['scrypt-n'], DEFAULT_SCRYPT_N, { min: 1024, integer: true })
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
    const scripts = scope.tempDir('gatehouse-bench-token-scripts')
    const targets: TokenTarget[] = []
    const loads = []
    for (const algorithm of algorithms) {
      for (const setting of persistence) {
        log(`starting gatehouse (${algorithm}, persistence ${setting}, scrypt N=${scryptN})`)
        const gateway: TokenGateway = await startTokenGateway(scope, { algorithm, persistence: setting, scryptN, connections: Math.max(...connections), cpu: pinning?.proxyCpu })
        for (const grant of grants) {
          const target: TokenTarget = { grant, algorithm, persistence: setting }
          targets.push(target)
          loads.push(tokenLoad(target, gateway, scripts))
        }
      }
    }
    const samples = await runTokenRounds(scope, { loads, connections, rounds, durationS, warmupS, wrkCpu: pinning?.loadCpu }, log)
    const report = buildReport(samples, targets, connections)
    const cores = pinning === undefined ? 'unpinned' : `gateway on core ${pinning.proxyCpu}, wrk on core ${pinning.loadCpu}`
    io.out(`token: POST /oauth2/token, ${cores}; scrypt N=${scryptN} r=8 p=1; ${rounds} round(s) × ${durationS} s, medians\n\n`)
    io.out(formatReport(report) + '\n')
    if (flags.json === true) {
      printJsonLine(reportJson(report, { pinning: pinning ?? null, durationS, rounds, warmupS, loadAvg1m: loadAvg, scryptN }), io.out)
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

export const token: Scenario = {
  name: 'token',
  summary: 'the key manager\'s token endpoint on one core: client credentials, password, refresh; RS256/ES256; persistence on/off',
  help: HELP,
  run: runToken,
}
