// What every normalisation step shares: the loaded documents, the document's version and the
// list issues are collected into (positions are attached once, at the end).
import type { SpecIssue } from '../model.ts'
import { appendPointer, isObject } from './pointer.ts'
import { positionOf, type SourceSet } from './sources.ts'

export type SpecVersion = '2.0' | '3.0' | '3.1'

/** A value together with where it is written: its document and its JSON pointer in there. */
export interface Located {
  value: unknown
  file: string
  pointer: string
}

export interface LoadContext {
  sources: SourceSet
  version: SpecVersion
  /** Absolute path of the entry document. */
  entry: string
  issues: SpecIssue[]
}

export function report(ctx: Pick<LoadContext, 'issues'>, at: { file: string; pointer: string }, message: string, code: SpecIssue['code'] = 'GH_ERR_CONFIG_SPEC'): void {
  ctx.issues.push({ code, file: at.file, pointer: at.pointer, message })
}

/** The member `key` of a located object or array (value undefined when it has none). */
export function child(node: Located, ...keys: (string | number)[]): Located {
  let value = node.value
  for (const key of keys) {
    value = Array.isArray(value) && typeof key === 'number' ? value[key] : isObject(value) && Object.hasOwn(value, key) ? value[key] : undefined
  }
  return { value, file: node.file, pointer: appendPointer(node.pointer, ...keys) }
}

/**
 * Issues in the order found, each once, with the line and column of its pointer where its
 * document is loaded and has no position yet.
 */
export function finishIssues(issues: readonly SpecIssue[], sources: SourceSet): SpecIssue[] {
  const seen = new Set<string>()
  const result: SpecIssue[] = []
  for (const issue of issues) {
    const key = `${issue.code}\u0000${issue.file}\u0000${issue.pointer}\u0000${issue.message}`
    if (seen.has(key)) continue
    seen.add(key)
    const source = issue.line === undefined ? sources.document(issue.file) : undefined
    if (source === undefined) result.push(issue)
    else result.push({ code: issue.code, file: issue.file, pointer: issue.pointer, ...positionOf(source, issue.pointer), message: issue.message })
  }
  return result
}
