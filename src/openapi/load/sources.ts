// The documents of one API description: the entry file and every file (or, when allowed, URL) its
// `$ref`s reach. Each is parsed with `yaml` (JSON is YAML) keeping a line counter, so any JSON
// pointer into it can be turned back into a line and column.
import { readFile } from 'node:fs/promises'
import { isAlias, isMap, isScalar, isSeq, LineCounter, parseDocument, type Document } from 'yaml'
import type { SpecIssue } from '../model.ts'
import { parsePointer } from './pointer.ts'

export interface SourceDocument {
  /** Absolute file path, or the URL of a remote document. */
  id: string
  text: string
  /** The parsed content, deep-frozen: normalisation builds new objects and never edits these. */
  value: unknown
  doc: Document
  lines: LineCounter
}

export type LoadOutcome =
  | { ok: true; source: SourceDocument }
  /** `problems` are issues inside the document itself (syntax errors); `reason` says why it is unusable. */
  | { ok: false; reason: string; problems: SpecIssue[] }

/** Remote documents are fetched with a deadline and a size cap: a slow or huge answer must not stall a load. */
const REMOTE_TIMEOUT_MS = 10_000
const MAX_DOCUMENT_BYTES = 16 * 1024 * 1024

export function isRemoteId(id: string): boolean {
  return /^https?:\/\//i.test(id)
}

export class SourceSet {
  readonly #loaded = new Map<string, Promise<LoadOutcome>>()
  readonly #ready = new Map<string, SourceDocument>()
  readonly #allowRemote: boolean

  constructor(allowRemote: boolean) {
    this.#allowRemote = allowRemote
  }

  /** Reads and parses a document once; later calls share the first outcome. */
  load(id: string): Promise<LoadOutcome> {
    let outcome = this.#loaded.get(id)
    if (outcome === undefined) {
      outcome = this.#read(id).then((result) => {
        if (result.ok) this.#ready.set(id, result.source)
        return result
      })
      this.#loaded.set(id, outcome)
    }
    return outcome
  }

  /** A document that has loaded successfully, or undefined. */
  document(id: string): SourceDocument | undefined {
    return this.#ready.get(id)
  }

  async #read(id: string): Promise<LoadOutcome> {
    let text: string
    if (isRemoteId(id)) {
      if (!this.#allowRemote) return { ok: false, reason: 'remote documents are not fetched', problems: [] }
      const fetched = await fetchText(id)
      if (typeof fetched !== 'string') return { ok: false, reason: fetched.reason, problems: [] }
      text = fetched
    } else {
      try {
        text = await readFile(id, 'utf8')
      } catch (error) {
        return { ok: false, reason: readFailure(error), problems: [] }
      }
    }
    return parseSource(id, text)
  }
}

export function parseSource(id: string, text: string): LoadOutcome {
  const lines = new LineCounter()
  // logLevel 'error': yaml's warnings would go to the process warning stream.
  const doc = parseDocument(text, { lineCounter: lines, prettyErrors: false, logLevel: 'error' })
  if (doc.errors.length > 0) {
    const problems = doc.errors.map((error): SpecIssue => {
      const { line, col } = lines.linePos(error.pos[0])
      return { code: 'GH_ERR_CONFIG_SPEC', file: id, pointer: '#', line, column: col, message: `YAML syntax error: ${error.message}` }
    })
    return { ok: false, reason: 'it is not valid YAML or JSON', problems }
  }
  let value: unknown
  try {
    value = doc.toJS({ maxAliasCount: 100 })
  } catch (error) {
    // yaml refuses alias expansion that would explode in size ("billion laughs").
    const message = error instanceof Error ? error.message : String(error)
    return { ok: false, reason: message, problems: [{ code: 'GH_ERR_CONFIG_SPEC', file: id, pointer: '#', message }] }
  }
  if (value === null || value === undefined) {
    return { ok: false, reason: 'it is empty', problems: [{ code: 'GH_ERR_CONFIG_SPEC', file: id, pointer: '#', line: 1, column: 1, message: 'the document is empty' }] }
  }
  return { ok: true, source: { id, text, value: deepFreeze(value), doc, lines } }
}

/** Line and column (1-based) of the node at `pointer` (of its key, in a mapping), or of its nearest existing ancestor. */
export function positionOf(source: SourceDocument, pointer: string): { line: number; column: number } {
  const { node, key } = walk(source, parsePointer(pointer))
  const range = ((key ?? node) as { range?: [number, number, number] } | null | undefined)?.range
  const { line, col } = source.lines.linePos(range?.[0] ?? 0)
  return { line: Math.max(line, 1), column: Math.max(col, 1) }
}

/**
 * The keys of the mapping at `pointer` in the order they are written. Parsed objects list
 * integer-like keys (`200`, `404`) first whatever the order in the file, so the YAML is asked.
 */
export function orderedKeys(source: SourceDocument | undefined, pointer: string, value: Record<string, unknown>): string[] {
  const keys = Object.keys(value)
  if (source === undefined) return keys
  const { node, matched } = walk(source, parsePointer(pointer))
  if (!matched || !isMap(node)) return keys
  const written = node.items.map((pair) => String(isScalar(pair.key) ? pair.key.value : pair.key)).filter((key) => Object.hasOwn(value, key))
  const ordered = [...new Set(written)]
  return [...ordered, ...keys.filter((key) => !ordered.includes(key))]
}

/** The YAML node at `segments`, as far as the document has it. */
function walk(source: SourceDocument, segments: readonly string[]): { node: unknown; key: unknown; matched: boolean } {
  let node: unknown = source.doc.contents
  let key: unknown
  for (const segment of segments) {
    if (isAlias(node)) node = node.resolve(source.doc)
    if (isMap(node)) {
      const pair = node.items.find((item) => isScalar(item.key) && String(item.key.value) === segment)
      if (pair === undefined) return { node, key, matched: false }
      key = pair.key
      node = pair.value ?? pair.key
    } else if (isSeq(node) && /^(0|[1-9]\d*)$/.test(segment) && node.items[Number(segment)] !== undefined) {
      key = undefined
      node = node.items[Number(segment)]
    } else return { node, key, matched: false }
  }
  if (isAlias(node)) node = node.resolve(source.doc)
  return { node, key, matched: true }
}

async function fetchText(url: string): Promise<string | { reason: string }> {
  try {
    const response = await fetch(url, { signal: AbortSignal.timeout(REMOTE_TIMEOUT_MS), redirect: 'follow' })
    if (!response.ok) return { reason: `the server answered ${response.status}` }
    const text = await response.text()
    if (Buffer.byteLength(text) > MAX_DOCUMENT_BYTES) return { reason: `it is larger than ${MAX_DOCUMENT_BYTES} bytes` }
    return text
  } catch (error) {
    const cause = error instanceof Error ? ((error.cause as Error | undefined)?.message ?? error.message) : String(error)
    return { reason: `it cannot be fetched (${cause})` }
  }
}

function readFailure(error: unknown): string {
  const code = (error as NodeJS.ErrnoException).code
  if (code === 'ENOENT') return 'the file does not exist'
  if (code === 'EISDIR') return 'it is a directory, not a file'
  return `the file cannot be read (${code ?? String(error)})`
}

function deepFreeze<T>(value: T): T {
  if (typeof value === 'object' && value !== null && !Object.isFrozen(value)) {
    Object.freeze(value)
    for (const child of Object.values(value)) deepFreeze(child)
  }
  return value
}
