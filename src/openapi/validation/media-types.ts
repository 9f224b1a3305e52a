// Matching a Content-Type against the media-type ranges a document declares (`application/json`,
// `application/*+json`, `text/*`, `*/*`), most specific first. Parameters (`charset` …) and case
// are ignored. The decision per distinct Content-Type string is cached, so a busy API pays for
// the parsing once per header value, not once per request.

export type BodyKind = 'json' | 'form' | 'other'

export interface MediaMatch<T> {
  /** Whether a declared range accepts the type. */
  matched: boolean
  /** The accepting range's entry (undefined when none accepts it). */
  entry: T | undefined
  /** How a body of the request's (not the range's) media type is read. */
  kind: BodyKind
  /** The media type without parameters, lower case, e.g. `application/json`. */
  essence: string
}

interface Range<T> {
  type: string
  subtype: string
  entry: T
  specificity: number
}

const MAX_CACHED = 64
const MAX_SHOWN_LENGTH = 100

/** `Text/HTML; charset=utf-8` → `text/html`. */
export function mediaEssence(contentType: string): string {
  const semicolon = contentType.indexOf(';')
  return (semicolon === -1 ? contentType : contentType.slice(0, semicolon)).trim().toLowerCase()
}

export function bodyKind(essence: string): BodyKind {
  if (essence === 'application/x-www-form-urlencoded') return 'form'
  const slash = essence.indexOf('/')
  const subtype = slash === -1 ? '' : essence.slice(slash + 1)
  return subtype === 'json' || subtype.endsWith('+json') ? 'json' : 'other'
}

function subtypeMatches(pattern: string, subtype: string): boolean {
  if (pattern === '*' || pattern === subtype) return true
  // `*+json` accepts any subtype with that suffix (`problem+json`), not `json` itself (RFC 6839).
  return pattern.startsWith('*+') && subtype.length > pattern.length - 1 && subtype.endsWith(pattern.slice(1))
}

export class MediaRanges<T> {
  /** The declared ranges, for messages: `application/json, application/*+json`. */
  readonly accepted: string
  private readonly ranges: Range<T>[] = []
  private readonly cache = new Map<string, MediaMatch<T>>()

  constructor(declared: Iterable<readonly [range: string, entry: T]>) {
    const shown: string[] = []
    for (const [range, entry] of declared) {
      const essence = mediaEssence(range)
      shown.push(essence)
      const slash = essence.indexOf('/')
      const type = slash === -1 ? essence : essence.slice(0, slash)
      const subtype = slash === -1 ? '*' : essence.slice(slash + 1)
      const specificity = (type === '*' ? 0 : 4) + (subtype === '*' ? 0 : subtype.startsWith('*+') ? 1 : 2)
      this.ranges.push({ type, subtype, entry, specificity })
    }
    this.ranges.sort((a, b) => b.specificity - a.specificity)
    this.accepted = shown.join(', ')
  }

  get isEmpty(): boolean {
    return this.ranges.length === 0
  }

  match(contentType: string): MediaMatch<T> {
    const cached = this.cache.get(contentType)
    if (cached !== undefined) return cached
    const essence = mediaEssence(contentType)
    const slash = essence.indexOf('/')
    const type = slash === -1 ? essence : essence.slice(0, slash)
    const subtype = slash === -1 ? '' : essence.slice(slash + 1)
    let accepting: Range<T> | undefined
    if (slash > 0 && subtype !== '') {
      accepting = this.ranges.find((range) => (range.type === '*' || range.type === type) && subtypeMatches(range.subtype, subtype))
    }
    const result: MediaMatch<T> = { matched: accepting !== undefined, entry: accepting?.entry, kind: bodyKind(essence), essence }
    // Bounded, so clients sending ever new Content-Type values cannot grow it.
    if (this.cache.size < MAX_CACHED) this.cache.set(contentType, result)
    return result
  }

  /** Why a Content-Type is refused, or undefined when one of the ranges accepts it. */
  refusal(contentType: string | undefined): string | undefined {
    if (contentType === undefined || contentType.trim() === '') return `Content-Type is missing; expected ${this.accepted}`
    const match = this.match(contentType)
    if (match.matched) return undefined
    const shown = match.essence.length > MAX_SHOWN_LENGTH ? `${match.essence.slice(0, MAX_SHOWN_LENGTH)}…` : match.essence
    return `Content-Type ${JSON.stringify(shown)} is not accepted; expected ${this.accepted}`
  }
}
