// `gatehouse bench passthrough`: GET /v1/data through Gatehouse, nginx and the reference proxy
// and straight to the upstream, at several connection counts; reported as medians and ratios.
import { existsSync, statSync } from 'node:fs'
import { loadavg } from 'node:os'
import { startBenchUpstream, type UpstreamChoice } from '../../lib/bench-upstream.ts'
import { detectPinning, type Pinning } from '../../lib/cpus.ts'
import { printJsonLine } from '../../lib/json-line.ts'
import { choiceFlag, choiceListFlag, COMMON_HELP, COMMON_OPTIONS, integerListFlag, numberFlag, parseScenarioArgs } from '../../lib/options.ts'
import { runRounds } from '../../lib/rounds.ts'
import { RunScope } from '../../lib/run-scope.ts'
import { ensureWrk } from '../../lib/wrk.ts'
import type { BenchIo, Scenario } from '../scenario.ts'
import { buildReport, formatReport, reportJson } from './report.ts'
import { PASSTHROUGH_TARGETS, startPassthroughTargets } from './targets.ts'

const OPTIONS = {
  ...COMMON_OPTIONS,
  targets: { type: 'string' },
  upstream: { type: 'string' },
} as const

const HELP = `gatehouse bench passthrough [options]

Proxies GET /v1/data (a 9-byte JSON answer) with wrk (-t1 --latency) through each target, one
after another and interleaved over several rounds, and prints medians and ratios. The proxy under
test runs on one core, wrk and the upstream on the other.

Targets: direct (the upstream itself), gatehouse (one worker, access log and metrics on), nginx
(keep-alive reverse proxy, one worker) and reference (node:http + undici Pool.stream).

Options:
${COMMON_HELP}
  --targets LIST      some of ${PASSTHROUGH_TARGETS.join(',')} (default: all)
  --upstream KIND     auto, nginx or node (default auto: nginx when installed)`

async function runPassthrough(argv: string[], io: BenchIo): Promise<number> {
  const flags = parseScenarioArgs('passthrough', argv, OPTIONS)
  if (flags.help === true) {
    io.out(HELP + '\n')
    return 0
  }
  const durationS = numberFlag('duration', flags.duration, 10, { min: 1, integer: true })
  const rounds = numberFlag('rounds', flags.rounds, 3, { min: 1, integer: true })
  const warmupS = numberFlag('warmup', flags.warmup, 2, { min: 0, integer: true })
  const connections = integerListFlag('connections', flags.connections, [1, 64, 256])
  const targetNames = choiceListFlag('targets', flags.targets, PASSTHROUGH_TARGETS)
  const upstreamChoice = choiceFlag<UpstreamChoice>('upstream', flags.upstream, ['auto', 'nginx', 'node'], 'auto')
  const log = (line: string): void => io.err(line + '\n')

  ensureWrk(log)
  const [loadAvg] = loadavg()
  // Anything else using the cores while we measure shifts the figures; say so up front.
  if (loadAvg > 0.5) log(`warning: load average is ${loadAvg.toFixed(2)} before the run; other processes compete for the cores`)
  const detected = detectPinning()
  const pinning: Pinning | undefined = 'reason' in detected ? undefined : detected
  if ('reason' in detected) log(`not pinning processes to cores: ${detected.reason}; figures will be noisier`)

  const scope = new RunScope()
  const restoreSignals = scope.handleInterrupts(log)
  try {
    const upstream = await startBenchUpstream(scope, { choice: upstreamChoice, cpu: pinning?.loadCpu })
    const where = pinning === undefined ? '' : ` (core ${pinning.loadCpu}, shared with wrk)`
    log(`upstream: ${upstream.kind === 'nginx' ? 'nginx return 200' : 'node:http'} on ${upstream.origin}${where}`)
    const started = await startPassthroughTargets(scope, targetNames, upstream, pinning, log)
    const samples = await runRounds(scope, { targets: started.ready, connections, rounds, durationS, warmupS, wrkCpu: pinning?.loadCpu }, log)

    const report = buildReport(samples, targetNames, connections)
    const proxyCore = pinning === undefined ? 'unpinned' : `proxies on core ${pinning.proxyCpu}, wrk + upstream on core ${pinning.loadCpu}`
    io.out(`passthrough: GET ${upstream.path}, upstream ${upstream.kind}, ${proxyCore}; ${rounds} round(s) × ${durationS} s, medians\n\n`)
    io.out(formatReport(report) + '\n')
    // The full reason (with the process's output) went to stderr when the target was skipped.
    for (const [name, reason] of Object.entries(started.skipped)) {
      const [first, ...details] = reason.split('\n')
      io.out(`skipped ${name}: ${first.replace(/:$/, '')}${details.length > 0 ? ' (its output is on stderr above)' : ''}\n`)
    }
    const gatehouse = started.ready.find((t) => t.name === 'gatehouse')
    if (gatehouse !== undefined && started.gatehouseAccessLog !== undefined) {
      // The access log is written in batches; a graceful stop flushes the last one.
      await gatehouse.process?.stop()
      const accessLog = started.gatehouseAccessLog
      if (!existsSync(accessLog) || statSync(accessLog).size === 0) io.out('warning: gatehouse wrote no access log lines although the access log is on\n')
    }
    if (flags.json === true) {
      const context = { upstream: upstream.kind, pinning: pinning ?? null, durationS, rounds, warmupS, loadAvg1m: loadAvg, skipped: started.skipped }
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

export const passthrough: Scenario = {
  name: 'passthrough',
  summary: 'GET through gatehouse, nginx and the reference proxy vs the direct upstream; req/s, p50, p99, ratios',
  help: HELP,
  run: runPassthrough,
}
