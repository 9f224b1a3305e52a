// `gatehouse bench passthrough`: GET /v1/data through Gatehouse, nginx and the reference proxy
// and straight to the upstream, at several connection counts; reported as medians and ratios.
import { existsSync, statSync } from 'node:fs'
import type { UpstreamChoice } from '../../lib/bench-upstream.ts'
import { choiceListFlag, COMMON_HELP, TARGET_OPTIONS, targetsHelp } from '../../lib/options.ts'
import { runRounds } from '../../lib/rounds.ts'
import { coresText, defineScenario, skippedNotes, startUpstream, upstreamFlag, type ScenarioOutcome, type ScenarioRun } from '../../lib/scenario-run.ts'
import { buildReport, formatReport, reportJson } from './report.ts'
import { PASSTHROUGH_TARGETS, startPassthroughTargets, type PassthroughTarget } from './targets.ts'

const HELP = `gatehouse bench passthrough [options]

Proxies GET /v1/data (a 9-byte JSON answer) with wrk (-t1 --latency) through each target, one
after another and interleaved over several rounds, and prints medians and ratios. The proxy under
test runs on one core, wrk and the upstream on the other.

Targets: direct (the upstream itself), gatehouse (one worker, access log and metrics on), nginx
(keep-alive reverse proxy, one worker) and reference (node:http + undici Pool.stream).

Options:
${COMMON_HELP}
${targetsHelp(PASSTHROUGH_TARGETS)}`

interface PassthroughSettings {
  names: PassthroughTarget[]
  upstream: UpstreamChoice
}

async function measure(run: ScenarioRun, settings: PassthroughSettings): Promise<ScenarioOutcome> {
  const upstream = await startUpstream(run, settings.upstream)
  const started = await startPassthroughTargets(run.scope, settings.names, upstream, run.pinning, run.log)
  const samples = await runRounds(run.scope, { targets: started.ready, connections: run.connections, rounds: run.rounds, durationS: run.durationS, warmupS: run.warmupS, wrkCpu: run.pinning?.loadCpu }, run.log)
  const report = buildReport(samples, settings.names, run.connections)
  const notes = skippedNotes(started.skipped, { pointToStderr: true })
  const gatehouse = started.ready.find((t) => t.name === 'gatehouse')
  if (gatehouse !== undefined && started.gatehouseAccessLog !== undefined) {
    // The access log is written in batches; a graceful stop flushes the last one.
    await gatehouse.process?.stop()
    const accessLog = started.gatehouseAccessLog
    if (!existsSync(accessLog) || statSync(accessLog).size === 0) notes.push('warning: gatehouse wrote no access log lines although the access log is on')
  }
  return {
    title: `passthrough: GET ${upstream.path}, upstream ${upstream.kind}, ${coresText(run.pinning, 'proxies', 'wrk + upstream')}`,
    report: formatReport(report),
    notes,
    bars: report.bars,
    json: () => reportJson(report, { ...run.context, upstream: upstream.kind, skipped: started.skipped }),
  }
}

export const passthrough = defineScenario({
  name: 'passthrough',
  summary: 'GET through gatehouse, nginx and the reference proxy vs the direct upstream; req/s, p50, p99, ratios',
  help: HELP,
  options: TARGET_OPTIONS,
  defaultConnections: [1, 64, 256],
  settings: (flags): PassthroughSettings => ({ names: choiceListFlag('targets', flags.targets, PASSTHROUGH_TARGETS), upstream: upstreamFlag(flags.upstream) }),
  measure,
})
