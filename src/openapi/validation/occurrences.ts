// Picks the declared parameters out of a query string or a Cookie header in one pass, without
// building a map of everything the client sent: a key no parameter declares costs a lookup and
// is skipped (unknown query parameters are allowed). Each parameter has a slot, emptied before
// each request; a slot's list is only allocated when the parameter occurs.
import { percentDecode } from './percent-decode.ts'

interface Target {
  slot: number
  /** Collected as [key, value] pairs (properties of an exploded object) rather than as values. */
  keyed: boolean
}

/** Up to this many declared keys are compared in place, without slicing the key out of the text. */
const MAX_SCANNED_KEYS = 16

export class OccurrenceCollector {
  /** Raw values per slot, in order of appearance. */
  readonly values: Array<string[] | undefined> = []
  /** [key, rawValue, key, rawValue …] per slot, for exploded objects and deepObject. */
  readonly pairs: Array<string[] | undefined> = []
  /** Declared keys, and for each (same index) where its occurrences go. */
  private readonly keys: string[] = []
  private readonly targets: Target[][] = []
  private readonly byKey = new Map<string, Target[]>()
  /** deepObject parameters: keys `name[prop]`. */
  private readonly bracketed: Array<{ prefix: string; slot: number }> = []
  /** Exploded objects without declared properties take every key nothing else claims. */
  private readonly unclaimed: number[] = []

  addSlot(): number {
    this.values.push(undefined)
    this.pairs.push(undefined)
    return this.values.length - 1
  }

  /** `name=value` occurrences go to the slot as values. */
  collectValues(name: string, slot: number): void {
    this.target(name).push({ slot, keyed: false })
  }

  /** `property=value` occurrences go to the slot as pairs. */
  collectProperty(property: string, slot: number): void {
    this.target(property).push({ slot, keyed: true })
  }

  /** `name[property]=value` occurrences go to the slot as pairs. */
  collectBracketed(name: string, slot: number): void {
    this.bracketed.push({ prefix: `${name}[`, slot })
  }

  collectUnclaimed(slot: number): void {
    this.unclaimed.push(slot)
  }

  // Dropping the lists rather than truncating them: `array.length = 0` costs more than a new array.
  reset(): void {
    for (let i = 0; i < this.values.length; i++) {
      this.values[i] = undefined
      this.pairs[i] = undefined
    }
  }

  isPresent(slot: number): boolean {
    return this.values[slot] !== undefined || this.pairs[slot] !== undefined
  }

  /**
   * One occurrence whose key is `text.slice(keyFrom, keyTo)` and raw value `text.slice(from, to)`.
   * `formEncodedKey`: the key may hold escapes (`%64`, '+' for a space), as in a query string.
   */
  offerRange(text: string, keyFrom: number, keyTo: number, from: number, to: number, formEncodedKey: boolean): void {
    const length = keyTo - keyFrom
    const keys = this.keys
    if (keys.length <= MAX_SCANNED_KEYS) {
      for (let i = 0; i < keys.length; i++) {
        if (keys[i].length === length && text.startsWith(keys[i], keyFrom)) {
          this.deliver(this.targets[i], keys[i], text.slice(from, to))
          return
        }
      }
    }
    const escaped = formEncodedKey && hasEscape(text, keyFrom, keyTo)
    // An escaped key (`i%64`) can still be a declared one; another key is not, unless something takes all keys.
    if (!escaped && keys.length <= MAX_SCANNED_KEYS && this.bracketed.length === 0 && this.unclaimed.length === 0) return
    const rawKey = text.slice(keyFrom, keyTo)
    const key = escaped ? percentDecode(rawKey, true) : rawKey
    if (key !== undefined) this.offer(key, text, from, to)
  }

  /** One occurrence: `key` is decoded, the value is `text.slice(from, to)` and still raw. */
  offer(key: string, text: string, from: number, to: number): void {
    const targets = this.byKey.get(key)
    if (targets !== undefined) {
      this.deliver(targets, key, text.slice(from, to))
      return
    }
    if (this.bracketed.length > 0 && key.endsWith(']')) {
      for (const { prefix, slot } of this.bracketed) {
        if (key.startsWith(prefix)) {
          this.addPair(slot, key.slice(prefix.length, -1), text.slice(from, to))
          return
        }
      }
    }
    for (const slot of this.unclaimed) this.addPair(slot, key, text.slice(from, to))
  }

  private deliver(targets: readonly Target[], key: string, value: string): void {
    for (let i = 0; i < targets.length; i++) {
      const target = targets[i]
      if (target.keyed) this.addPair(target.slot, key, value)
      else (this.values[target.slot] ??= []).push(value)
    }
  }

  private addPair(slot: number, key: string, value: string): void {
    ;(this.pairs[slot] ??= []).push(key, value)
  }

  private target(key: string): Target[] {
    let list = this.byKey.get(key)
    if (list === undefined) {
      list = []
      this.byKey.set(key, list)
      this.keys.push(key)
      this.targets.push(list)
    }
    return list
  }
}

function hasEscape(text: string, from: number, to: number): boolean {
  for (let i = from; i < to; i++) {
    const c = text.charCodeAt(i)
    if (c === 0x25 /* % */ || c === 0x2b /* + */) return true
  }
  return false
}

/** Feeds every `key=value` of a query string (without '?') to the collector. */
export function collectQuery(query: string, collector: OccurrenceCollector): void {
  const length = query.length
  let start = 0
  while (start < length) {
    let end = query.indexOf('&', start)
    if (end === -1) end = length
    if (end > start) {
      let eq = query.indexOf('=', start)
      if (eq === -1 || eq > end) eq = end
      // Keys are form-encoded like values; a key with a malformed escape cannot be a declared one.
      collector.offerRange(query, start, eq, eq === end ? end : eq + 1, end, true)
    }
    start = end + 1
  }
}

/** Feeds every `name=value` of a Cookie header (`a=1; b=2`) to the collector; quotes around a value are dropped. */
export function collectCookies(header: string, collector: OccurrenceCollector): void {
  const length = header.length
  let start = 0
  while (start < length) {
    let end = header.indexOf(';', start)
    if (end === -1) end = length
    const eq = header.indexOf('=', start)
    if (eq !== -1 && eq < end) {
      let nameFrom = start
      let nameTo = eq
      while (nameFrom < nameTo && header.charCodeAt(nameFrom) === 0x20) nameFrom++
      while (nameTo > nameFrom && header.charCodeAt(nameTo - 1) === 0x20) nameTo--
      let from = eq + 1
      let to = end
      while (from < to && header.charCodeAt(from) === 0x20) from++
      while (to > from && header.charCodeAt(to - 1) === 0x20) to--
      if (to - from >= 2 && header.charCodeAt(from) === 0x22 && header.charCodeAt(to - 1) === 0x22) {
        from++
        to--
      }
      // Cookie names are tokens, never percent-encoded.
      collector.offerRange(header, nameFrom, nameTo, from, to, false)
    }
    start = end + 1
  }
}
