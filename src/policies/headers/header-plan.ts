import type { HeaderList } from '../../kit/header-list.ts'
import type { HeaderOperations } from './schema.ts'

/** One side's operations compiled for a single pass over the header array. */
export interface HeaderPlan {
  /** Lower-case names whose existing fields are dropped (removed, or replaced by `set`). */
  drop: ReadonlySet<string>
  /** Lower-case old name → new name. */
  renames: ReadonlyMap<string, string>
  /** Fields appended after the pass, flat [name, value, …]: the `set` fields, then the `add` fields. */
  append: readonly string[]
  /** `nameLengths[n]` is true when some dropped or renamed name has n characters. */
  nameLengths: readonly boolean[]
}

/** Returns undefined when there is nothing to do, so the phase can be left out entirely. */
export function compileHeaderPlan(ops: HeaderOperations): HeaderPlan | undefined {
  const drop = new Set<string>()
  const renames = new Map<string, string>()
  const append: string[] = []
  for (const name of ops.remove) drop.add(name.toLowerCase())
  for (const [from, to] of Object.entries(ops.rename)) renames.set(from.toLowerCase(), to)
  for (const [name, value] of Object.entries(ops.set)) {
    drop.add(name.toLowerCase())
    append.push(name, value)
  }
  for (const [name, value] of Object.entries(ops.add)) append.push(name, value)
  if (drop.size === 0 && renames.size === 0 && append.length === 0) return undefined
  const nameLengths: boolean[] = []
  for (const name of [...drop, ...renames.keys()]) nameLengths[name.length] = true
  return { drop, renames, append, nameLengths: Array.from(nameLengths, Boolean) }
}

/** Applies a plan in place: one pass for removals and renames, then the appended fields. */
export function applyHeaderPlan(plan: HeaderPlan, headers: HeaderList): void {
  const flat = headers.flat
  const { drop, renames, append, nameLengths } = plan
  if (drop.size > 0 || renames.size > 0) {
    let write = 0
    for (let read = 0; read < flat.length; read += 2) {
      const name = flat[read]
      // Most fields differ in length from every configured name; those skip the lower-casing
      // (which allocates for mixed-case names) and the lookups.
      if (nameLengths[name.length] === true) {
        const lower = name.toLowerCase()
        if (drop.has(lower)) continue
        const renamed = renames.get(lower)
        if (renamed !== undefined) {
          flat[write] = renamed
          flat[write + 1] = flat[read + 1]
          write += 2
          continue
        }
      }
      flat[write] = name
      flat[write + 1] = flat[read + 1]
      write += 2
    }
    flat.length = write
  }
  for (let i = 0; i < append.length; i++) flat.push(append[i])
}
