// Interleaved rounds over the token targets, as in bench/lib/rounds.ts, except that each target
// has its own wrk script and the refresh targets need fresh refresh tokens before every run (the
// ones a run leaves in its queue die with the wrk process).
import { writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { describeResult, loadFailure, runSchedule, type RoundsSchedule, type Sample } from '../../lib/rounds.ts'
import type { RunScope } from '../../lib/run-scope.ts'
import { runWrk } from '../../lib/wrk.ts'
import type { WrkResult } from '../../lib/wrk-parse.ts'
import type { TokenGateway } from './gateways.ts'
import { targetName, type TokenTarget } from './report.ts'
import { cyclingFormScript, refreshChainScript, staticFormScript, writeScript } from './wrk-scripts.ts'

// Token requests queue behind each other on one core (a password login waits for scrypt), so
// wrk's default 2 s timeout would count slow answers as failures.
const WRK_TIMEOUT_S = 60
// wrk calls `request()` once more than it sends while it starts up; that token never reaches the
// server. A few spare tokens keep the queue from running dry for the last connection to start.
const SPARE_REFRESH_TOKENS = 4

export interface TokenLoad {
  target: TokenTarget
  name: string
  gateway: TokenGateway
  /** Writes what the next run needs and returns the wrk script's path. */
  prepare(connections: number): Promise<string>
  /** Resolves once the gateway has finished the work a run left behind. */
  settle(): Promise<void>
}

/** The load for one target; scripts go into `dir`. */
export function tokenLoad(target: TokenTarget, gateway: TokenGateway, dir: string): TokenLoad {
  const name = targetName(target)
  const file = name.replaceAll('/', '-')
  if (target.grant === 'refresh') {
    return {
      target, name, gateway,
      async prepare(connections) {
        const seedFile = join(dir, `${file}.tokens`)
        writeFileSync(seedFile, (await gateway.refreshTokens(connections + SPARE_REFRESH_TOKENS)).join('\n') + '\n')
        return writeScript(dir, file, refreshChainScript(gateway.authorization, seedFile))
      },
      settle: () => Promise.resolve(),
    }
  }
  const text = target.grant === 'client_credentials'
    ? staticFormScript(gateway.authorization, 'grant_type=client_credentials')
    : cyclingFormScript(gateway.authorization, gateway.passwordBodies)
  const script = writeScript(dir, file, text)
  // When wrk stops, up to one scrypt hash per connection is still queued on the gateway's thread
  // pool and would run into the next measurement. One more login queues behind them (the pool is
  // first in, first out), so its answer means the backlog is gone.
  const settle = target.grant === 'password' ? async () => void await gateway.refreshTokens(1) : () => Promise.resolve()
  return { target, name, gateway, prepare: () => Promise.resolve(script), settle }
}

export interface TokenRoundsPlan extends RoundsSchedule {
  loads: readonly TokenLoad[]
  wrkCpu?: number
}

async function load(scope: RunScope, plan: TokenRoundsPlan, item: TokenLoad, connections: number, durationS: number): Promise<WrkResult> {
  try {
    const script = await item.prepare(connections)
    const result = await runWrk(scope, { url: item.gateway.tokenUrl, connections, durationS, cpu: plan.wrkCpu, script, timeoutS: WRK_TIMEOUT_S })
    await item.settle()
    return result
  } catch (error) {
    throw await loadFailure({ name: item.name, process: item.gateway.process }, connections, error)
  }
}

export async function runTokenRounds(scope: RunScope, plan: TokenRoundsPlan, progress: (line: string) => void): Promise<Sample[]> {
  return runSchedule(plan, plan.loads, {
    warmUp: (item, connections, durationS) => load(scope, plan, item, connections, durationS),
    async measure(item, connections, round) {
      const result = await load(scope, plan, item, connections, plan.durationS)
      const failures = result.non2xx3xx > 0 ? `, ${result.non2xx3xx} non-2xx` : ''
      return { sample: { target: item.name, connections, round, result }, line: describeResult(result, 'tokens/s') + failures }
    },
  }, progress)
}
