// `--json` output contract: exactly one JSON object on the last line of stdout, so scripts can
// take `tail -n 1` whatever human-readable text came before. NaN (a target without a figure)
// becomes null rather than the invalid token JSON.stringify would otherwise refuse to emit.

export function toJsonLine(value: unknown): string {
  return JSON.stringify(value, (_key, v: unknown) => (typeof v === 'number' && !Number.isFinite(v) ? null : v))
}

export function printJsonLine(value: unknown, write: (text: string) => void = (text) => process.stdout.write(text)): void {
  write(toJsonLine(value) + '\n')
}
