// Reads Prometheus text exposition into `series → value`, with labels sorted by name so tests
// can name a series without caring about label order: `name{a="1",b="2"}`.

export interface ParsedMetrics {
  values: Map<string, number>
  types: Map<string, string>
}

const SAMPLE = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})? (\S+)$/
const LABEL = /([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"/g

export function parsePrometheusText(text: string): ParsedMetrics {
  const values = new Map<string, number>()
  const types = new Map<string, string>()
  for (const line of text.split('\n')) {
    if (line === '') continue
    if (line.startsWith('# TYPE ')) {
      const [name, type] = line.slice(7).split(' ')
      types.set(name, type)
      continue
    }
    if (line.startsWith('#')) continue
    const match = SAMPLE.exec(line)
    if (match === null) throw new Error(`not a Prometheus sample line: ${line}`)
    const labels = [...(match[2] ?? '').matchAll(LABEL)].map(([, name, value]) => `${name}="${value}"`).sort()
    const key = labels.length === 0 ? match[1] : `${match[1]}{${labels.join(',')}}`
    if (values.has(key)) throw new Error(`duplicate series ${key}`)
    values.set(key, Number(match[3]))
  }
  return { values, types }
}
