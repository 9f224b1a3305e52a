// Maps a config path to the line and column of its YAML node, so every issue can point at the
// exact place in the file. Paths the file does not contain (a missing required field, a value the
// loader derived) fall back to the nearest enclosing node that does exist.
import { isAlias, isMap, isScalar, isSeq, type Document, type LineCounter } from 'yaml'
import type { PathSegment } from './issues.ts'

export interface SourcePosition {
  line: number
  column: number
}

export function locate(doc: Document, lines: LineCounter, path: readonly PathSegment[], at: 'key' | 'value' = 'value'): SourcePosition {
  let node: unknown = doc.contents
  let keyNode: unknown
  let matched = 0
  for (const segment of path) {
    if (isAlias(node)) node = node.resolve(doc)
    if (isMap(node)) {
      const pair = node.items.find((item) => isScalar(item.key) && String(item.key.value) === String(segment))
      if (pair === undefined) break
      keyNode = pair.key
      // `key:` with nothing after it has no (or an empty) value node; its key is the place to point at.
      node = isEmpty(pair.value) ? pair.key : pair.value
    } else if (isSeq(node) && typeof segment === 'number' && node.items[segment] !== undefined) {
      keyNode = undefined
      node = node.items[segment]
    } else break
    matched++
  }
  const target = at === 'key' && matched === path.length && keyNode !== undefined ? keyNode : node
  return positionOf(target, lines)
}

export function positionAt(offset: number, lines: LineCounter): SourcePosition {
  const { line, col } = lines.linePos(offset)
  return { line: Math.max(line, 1), column: Math.max(col, 1) }
}

function positionOf(node: unknown, lines: LineCounter): SourcePosition {
  const range = (node as { range?: [number, number, number] } | null)?.range
  return positionAt(range?.[0] ?? 0, lines)
}

function isEmpty(node: unknown): boolean {
  if (node === null || node === undefined) return true
  const range = (node as { range?: [number, number, number] }).range
  return isScalar(node) && node.value === null && range !== undefined && range[0] === range[1]
}
