// `$ref`s: where each one leads, reading every local document they reach, and following them
// during normalisation. Remote (http/https) documents are only read when allowed (CFG-08): a
// document must not make the gateway fetch arbitrary addresses.
import { dirname, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'
import { displayFile } from '../../config/issues.ts'
import { closest } from '../../config/suggest.ts'
import type { SpecIssue } from '../model.ts'
import { report, type LoadContext, type Located } from './context.ts'
import { appendPointer, formatPointer, isObject, parseFragment, valueAt } from './pointer.ts'
import { isRemoteId, type SourceSet } from './sources.ts'

export interface RefTarget {
  /** Absolute file path or URL of the target document. */
  id: string
  /** The fragment, with its `#` ('' when the reference has none). */
  fragment: string
}

/** Where `ref`, written in document `from`, leads; a string says why it cannot be followed. */
export function refTarget(from: string, ref: string): RefTarget | string {
  const hash = ref.indexOf('#')
  const address = hash === -1 ? ref : ref.slice(0, hash)
  const fragment = hash === -1 ? '' : ref.slice(hash)
  if (address === '') return { id: from, fragment }
  try {
    if (isRemoteId(from)) return { id: stripHash(new URL(address, from).href), fragment }
    if (isRemoteId(address)) return { id: stripHash(new URL(address).href), fragment }
    if (/^file:/i.test(address)) return { id: fileURLToPath(address), fragment }
    // Two letters or more: a Windows drive letter (`C:\`) is a path, not a scheme.
    if (/^[a-z][a-z0-9+.-]+:/i.test(address)) return `its scheme is not supported (only relative paths, file: and, when allowed, http(s): URLs are)`
    return { id: resolve(dirname(from), decodeURIComponent(address)), fragment }
  } catch {
    return 'it is not a valid URI reference'
  }
}

interface FoundRef {
  ref: string
  /** Pointer of the `$ref` member itself, in the document it is written in. */
  at: Located
  target: RefTarget
}

/**
 * Reads the entry document and every document its `$ref`s reach (transitively), and checks that
 * each reference leads somewhere. Returns the issues found; the documents stay in `sources`.
 */
export async function readAllDocuments(entry: string, sources: SourceSet, allowRemote: boolean): Promise<SpecIssue[]> {
  const issues: SpecIssue[] = []
  const first = await sources.load(entry)
  if (!first.ok) {
    if (first.problems.length > 0) return first.problems
    return [{ code: 'GH_ERR_CONFIG_SPEC', file: entry, pointer: '#', message: `the API description cannot be read: ${first.reason}` }]
  }
  const refs: FoundRef[] = []
  const failures = new Map<string, string>()
  const queue = [first.source]
  const queued = new Set([entry])
  while (queue.length > 0) {
    const source = queue.shift()!
    for (const found of findRefs(source.value, source.id)) {
      const target = refTarget(source.id, found.ref)
      if (typeof target === 'string') {
        report({ issues }, found.at, `$ref "${found.ref}" cannot be followed: ${target}`)
        continue
      }
      if (isRemoteId(target.id) && !allowRemote) {
        report({ issues }, found.at, `$ref "${found.ref}" points to a remote document (${target.id}); remote references are not followed unless allowRemoteRefs is true`)
        continue
      }
      refs.push({ ...found, target })
      if (queued.has(target.id)) continue
      queued.add(target.id)
      const outcome = await sources.load(target.id)
      if (outcome.ok) queue.push(outcome.source)
      else {
        failures.set(target.id, outcome.reason)
        issues.push(...outcome.problems)
      }
    }
  }
  for (const { ref, at, target } of refs) {
    const failure = failures.get(target.id)
    const document = sources.document(target.id)
    if (failure !== undefined || document === undefined) {
      report({ issues }, at, `$ref "${ref}" cannot be resolved: ${displayFile(target.id)} cannot be used because ${failure ?? 'it was not read'}`)
      continue
    }
    const segments = parseFragment(target.fragment)
    if (segments === undefined) {
      report({ issues }, at, `$ref "${ref}" cannot be resolved: only JSON pointer fragments like "#/components/schemas/Item" are supported`)
    } else if (valueAt(document.value, segments) === undefined) {
      const where = target.id === at.file ? 'this document' : displayFile(target.id)
      report({ issues }, at, `$ref "${ref}" cannot be resolved: ${where} has nothing at ${formatPointer(segments)}${nearMiss(document.value, segments)}`)
    }
  }
  return issues
}

/** A hint when the last step of a pointer is a likely typo of a name that exists beside it. */
function nearMiss(root: unknown, segments: readonly string[]): string {
  const parent = valueAt(root, segments.slice(0, -1))
  const last = segments.at(-1)
  if (!isObject(parent) || last === undefined) return ''
  const match = closest(last, Object.keys(parent))
  return match === undefined ? '' : ` (did you mean ${formatPointer([...segments.slice(0, -1), match])}?)`
}

/** Every `{ $ref: string }` object inside `value`, in document order. */
function findRefs(value: unknown, file: string): { ref: string; at: Located }[] {
  const found: { ref: string; at: Located }[] = []
  const walk = (node: unknown, pointer: string): void => {
    if (Array.isArray(node)) node.forEach((item, index) => walk(item, appendPointer(pointer, index)))
    else if (isObject(node)) {
      if (typeof node.$ref === 'string') found.push({ ref: node.$ref, at: { value: node.$ref, file, pointer: appendPointer(pointer, '$ref') } })
      for (const [key, item] of Object.entries(node)) walk(item, appendPointer(pointer, key))
    }
  }
  walk(value, '#')
  return found
}

export function isReference(value: unknown): value is { $ref: string } {
  return isObject(value) && typeof value.$ref === 'string'
}

/** The target of one `$ref` object, or undefined when it leads nowhere (already reported by the read). */
export function resolveOnce(sources: SourceSet, node: Located & { value: { $ref: string } }): Located | undefined {
  const target = refTarget(node.file, node.value.$ref)
  if (typeof target === 'string') return undefined
  const document = sources.document(target.id)
  const segments = parseFragment(target.fragment)
  if (document === undefined || segments === undefined) return undefined
  const value = valueAt(document.value, segments)
  return value === undefined ? undefined : { value, file: target.id, pointer: formatPointer(segments) }
}

/**
 * Follows `$ref`s until a value that is not a reference (Parameter, Response, Path Item … objects
 * may be references). A chain that loops or leads nowhere yields undefined, reported here.
 */
export function follow(ctx: LoadContext, node: Located): Located | undefined {
  let current = node
  const visited = new Set<string>()
  while (isReference(current.value)) {
    const key = `${current.file}${current.pointer}`
    if (visited.has(key)) {
      report(ctx, node, 'this $ref leads back to itself through other $refs without ever reaching a value')
      return undefined
    }
    visited.add(key)
    const next = resolveOnce(ctx.sources, current as Located & { value: { $ref: string } })
    if (next === undefined) return undefined
    current = next
  }
  return current
}

function stripHash(url: string): string {
  const hash = url.indexOf('#')
  return hash === -1 ? url : url.slice(0, hash)
}
