// `gatehouse bench <scenario> [options]`: runs a benchmark scenario from bench/scenarios and
// returns the exit code (0 done, 1 failed or a bar missed under --check, 2 usage mistake).
import { BenchError } from '../../bench/lib/errors.ts'
import { findScenario, SCENARIOS } from '../../bench/scenarios/index.ts'
import type { BenchIo } from '../../bench/scenarios/scenario.ts'

const stdio: BenchIo = {
  out: (text) => void process.stdout.write(text),
  err: (text) => void process.stderr.write(text),
}

export function benchHelp(): string {
  const width = Math.max(...SCENARIOS.map((s) => s.name.length))
  const list = SCENARIOS.map((s) => `  ${s.name.padEnd(width)}  ${s.summary}`).join('\n')
  return `gatehouse bench <scenario> [options]

Runs a benchmark scenario side by side against nginx, a reference proxy and the direct upstream.
Needs wrk (installed automatically when running as root on Debian/Ubuntu); nginx is optional.

Scenarios:
${list}

gatehouse bench <scenario> --help lists a scenario's options.
`
}

/** Entry point for the CLI; `argv` is everything after `bench`. */
export async function runBench(argv: string[], io: BenchIo = stdio): Promise<number> {
  const [name, ...rest] = argv
  if (name === undefined) {
    io.err(benchHelp())
    return 2
  }
  if (name === '--help' || name === '-h' || name === 'help') {
    io.out(benchHelp())
    return 0
  }
  const scenario = findScenario(name)
  if (scenario === undefined) {
    io.err(`gatehouse bench: unknown scenario "${name}"; known: ${SCENARIOS.map((s) => s.name).join(', ')}\n`)
    return 2
  }
  try {
    return await scenario.run(rest, io)
  } catch (error) {
    if (error instanceof BenchError) {
      io.err(`gatehouse bench ${name}: ${error.message}\n`)
      return error.exitCode
    }
    io.err(`gatehouse bench ${name} failed: ${(error as Error).stack ?? String(error)}\n`)
    return 1
  }
}

if (import.meta.main) process.exitCode = await runBench(process.argv.slice(2))
