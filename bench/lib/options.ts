// Command-line flags shared by the scenarios. Every mistake becomes a BenchError with exit code 2
// that names the flag and what it expects.
import { parseArgs, type ParseArgsOptionsConfig } from 'node:util'
import { BenchError } from './errors.ts'

export const COMMON_OPTIONS = {
  duration: { type: 'string' },
  rounds: { type: 'string' },
  connections: { type: 'string' },
  warmup: { type: 'string' },
  json: { type: 'boolean' },
  check: { type: 'boolean' },
  help: { type: 'boolean', short: 'h' },
} as const satisfies ParseArgsOptionsConfig

/** Help of the flags that shape the rounds; `connections` is the scenario's default list, `note` follows it. */
export const roundsHelp = (connections: string, note = ''): string => `  --duration S        seconds per wrk run (default 10)
  --rounds N          rounds; every target runs once per round and connection count (default 3)
  --connections LIST  comma-separated connection counts (default ${connections})${note}
  --warmup S          seconds of unmeasured load per target before round 1 (default 2; 0: none)`

/** Help of the flags that shape the output. */
export const OUTPUT_HELP = `  --json              print one JSON object with all figures on the last line of stdout
  --check             exit 1 when a bar is missed (default: report PASS/FAIL only)
  -h, --help          this help`

export const COMMON_HELP = `${roundsHelp('1,64,256')}\n${OUTPUT_HELP}`

/** `--targets` and `--upstream`, for scenarios that load several targets in front of the bench upstream. */
export const TARGET_OPTIONS = {
  targets: { type: 'string' },
  upstream: { type: 'string' },
} as const satisfies ParseArgsOptionsConfig

export const targetsHelp = (targets: readonly string[]): string => `  --targets LIST      some of ${targets.join(',')} (default: all)
  --upstream KIND     auto, nginx or node (default auto: nginx when installed)`

/** The values of a scenario's flags, typed after its options. */
export type ScenarioFlags<T extends ParseArgsOptionsConfig> = ReturnType<typeof parseArgs<{ args: string[]; options: T; allowPositionals: false; strict: true }>>['values']

export function parseScenarioArgs<T extends ParseArgsOptionsConfig>(scenario: string, argv: string[], options: T): ScenarioFlags<T> {
  try {
    return parseArgs({ args: argv, options, allowPositionals: false, strict: true }).values
  } catch (error) {
    throw new BenchError(`${(error as Error).message} (see gatehouse bench ${scenario} --help)`, 2)
  }
}

export function numberFlag(flag: string, value: string | undefined, fallback: number, check: { min: number; integer?: boolean }): number {
  if (value === undefined) return fallback
  const parsed = Number(value)
  if (value.trim() === '' || !Number.isFinite(parsed) || parsed < check.min || (check.integer === true && !Number.isInteger(parsed))) {
    const kind = check.integer === true ? 'an integer' : 'a number'
    throw new BenchError(`--${flag} must be ${kind} ≥ ${check.min}, got "${value}"`, 2)
  }
  return parsed
}

export function integerListFlag(flag: string, value: string | undefined, fallback: number[]): number[] {
  if (value === undefined) return fallback
  const items = value.split(',').map((item) => item.trim())
  const numbers = items.map(Number)
  if (items.some((item) => item === '') || numbers.some((n) => !Number.isInteger(n) || n < 1)) {
    throw new BenchError(`--${flag} must be a comma-separated list of positive integers, got "${value}"`, 2)
  }
  return [...new Set(numbers)]
}

export function choiceListFlag<C extends string>(flag: string, value: string | undefined, choices: readonly C[]): C[] {
  if (value === undefined) return [...choices]
  const items = value.split(',').map((item) => item.trim())
  const unknown = items.filter((item) => !(choices as readonly string[]).includes(item))
  if (unknown.length > 0 || items.length === 0) {
    throw new BenchError(`--${flag}: unknown value(s) ${unknown.map((u) => `"${u}"`).join(', ')}; expected some of ${choices.join(', ')}`, 2)
  }
  return choices.filter((choice) => items.includes(choice))
}

export function choiceFlag<C extends string>(flag: string, value: string | undefined, choices: readonly C[], fallback: C): C {
  if (value === undefined) return fallback
  if (!(choices as readonly string[]).includes(value)) throw new BenchError(`--${flag} must be one of ${choices.join(', ')}, got "${value}"`, 2)
  return value as C
}
