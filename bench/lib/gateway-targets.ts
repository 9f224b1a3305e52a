// The targets of a scenario that loads several routes of one gateway beside the upstream itself.
// The upstream must answer correctly or the run stops, since no row would mean anything; a gateway
// that cannot start skips all its rows, and a row that answers wrongly skips only itself, each with
// a reason, so the rest still gets measured (and `--check` fails on the bars left without figures).
import type { BenchUpstream } from './bench-upstream.ts'
import { BenchError } from './errors.ts'
import { requestOnce, type RequestOptions } from './http-request.ts'
import type { WrkTarget } from './measured-rounds.ts'

export interface PreparedTargets {
  targets: WrkTarget[]
  /** Target → why it is not measured. */
  skipped: Record<string, string>
}

export interface GatewayTargetsPlan<G> {
  /** The targets asked for, `direct` (the upstream itself) among them or not. */
  names: readonly string[]
  /** The `direct` target. */
  direct: WrkTarget
  /** Throws when the upstream does not answer as it should. */
  checkUpstream(): Promise<void>
  startGateway(): Promise<G>
  /** Checks one of the gateway's rows and returns what wrk loads; throws with the reason to skip it. */
  gatewayTarget(name: string, gateway: G): Promise<WrkTarget>
}

export async function prepareGatewayTargets<G>(plan: GatewayTargetsPlan<G>, log: (line: string) => void): Promise<PreparedTargets> {
  const prepared: PreparedTargets = { targets: [], skipped: {} }
  await plan.checkUpstream().catch((error: Error) => {
    throw new BenchError(`the upstream does not answer correctly: ${error.message}`)
  })
  if (plan.names.includes('direct')) prepared.targets.push(plan.direct)
  const gatewayRows = plan.names.filter((name) => name !== 'direct')
  if (gatewayRows.length === 0) return prepared

  let gateway: G
  try {
    gateway = await plan.startGateway()
  } catch (error) {
    for (const name of gatewayRows) prepared.skipped[name] = (error as Error).message
    log(`skipping ${gatewayRows.join(', ')}: ${(error as Error).message}`)
    return prepared
  }
  for (const name of gatewayRows) {
    try {
      prepared.targets.push(await plan.gatewayTarget(name, gateway))
    } catch (error) {
      prepared.skipped[name] = (error as Error).message
      log(`skipping ${name}: ${(error as Error).message}`)
    }
  }
  return prepared
}

/** `GET <url>`, `POST <url>`: a request as error messages name it. */
export const requestLine = (url: string, options: RequestOptions): string => `${options.method ?? 'GET'} ${url}`

/** The answer to `options` at `url` must be 200 with the upstream's exact body; `name` heads the error. */
export async function expectUpstreamBody(name: string, url: string, options: RequestOptions, upstream: BenchUpstream): Promise<void> {
  const answer = await requestOnce(url, options)
  if (answer.status !== 200 || answer.body !== upstream.body) {
    throw new Error(`${name}: ${requestLine(url, options)} answered ${answer.status} ${JSON.stringify(answer.body.slice(0, 200))}, expected 200 ${JSON.stringify(upstream.body)}`)
  }
}
