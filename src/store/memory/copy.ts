/**
 * A copy the caller may mutate freely: records hold only primitives and string lists, so copying
 * the top level and every list is a full copy (and far cheaper than structuredClone on hot lookups).
 */
export function copyRecord<T extends object>(record: T): T {
  const copy = { ...record }
  for (const key of Object.keys(copy) as (keyof T)[]) {
    const value = copy[key]
    if (Array.isArray(value)) copy[key] = value.slice() as T[keyof T]
  }
  return copy
}
