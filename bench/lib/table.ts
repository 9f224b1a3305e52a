// Plain-text tables for terminal output: the first column left-aligned, the others right-aligned
// (they hold numbers), columns separated by two spaces.

export type Cell = string | number

export function formatTable(header: readonly string[], rows: readonly (readonly Cell[])[]): string {
  const text = [header, ...rows].map((row) => row.map((cell) => (typeof cell === 'number' ? formatNumber(cell) : cell)))
  const widths = header.map((_, column) => Math.max(...text.map((row) => (row[column] ?? '').length)))
  return text
    .map((row) => row.map((cell, column) => (column === 0 ? cell.padEnd(widths[column]) : cell.padStart(widths[column]))).join('  ').trimEnd())
    .join('\n')
}

/** Numbers as people read them in a results table: no exponent, sensible decimals, `-` for NaN. */
export function formatNumber(value: number): string {
  if (!Number.isFinite(value)) return '-'
  const magnitude = Math.abs(value)
  if (magnitude >= 1000) return String(Math.round(value))
  if (magnitude >= 10) return value.toFixed(1)
  return value.toFixed(2)
}
