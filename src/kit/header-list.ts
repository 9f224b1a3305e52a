/**
 * Headers as a flat [name, value, name, value, …] array, the form node:http gives in `rawHeaders`
 * and accepts in `writeHead`. Keeping that form end to end avoids building objects per request;
 * names keep their case, lookups are case-insensitive.
 */
export class HeaderList {
  readonly flat: string[]

  constructor(flat: string[] = []) {
    this.flat = flat
  }

  get(name: string): string | undefined {
    const lower = name.toLowerCase()
    const flat = this.flat
    for (let i = 0; i < flat.length; i += 2) if (flat[i].toLowerCase() === lower) return flat[i + 1]
    return undefined
  }

  has(name: string): boolean {
    return this.get(name) !== undefined
  }

  /** Appends a field even if one with the same name exists (for list-valued headers). */
  add(name: string, value: string): void {
    this.flat.push(name, value)
  }

  /** Replaces every field with this name by one field. */
  set(name: string, value: string): void {
    this.remove(name)
    this.flat.push(name, value)
  }

  /** Removes every field with this name; returns how many were removed. */
  remove(name: string): number {
    const lower = name.toLowerCase()
    const flat = this.flat
    let write = 0
    for (let read = 0; read < flat.length; read += 2) {
      if (flat[read].toLowerCase() === lower) continue
      flat[write] = flat[read]
      flat[write + 1] = flat[read + 1]
      write += 2
    }
    const removed = (flat.length - write) / 2
    flat.length = write
    return removed
  }

  rename(from: string, to: string): void {
    const lower = from.toLowerCase()
    const flat = this.flat
    for (let i = 0; i < flat.length; i += 2) if (flat[i].toLowerCase() === lower) flat[i] = to
  }
}
