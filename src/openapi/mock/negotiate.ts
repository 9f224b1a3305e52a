// Reading the two request headers a mock answer depends on: `Accept` (which media type) and
// `Prefer` (which declared response or named example, in the form Prism reads:
// `Prefer: code=404, example=not-found`).

interface AcceptRange {
  type: string
  subtype: string
  quality: number
  /** Position in the header: among equally good ranges the client's first listed wins. */
  order: number
}

/** Accept ranges with their q-values; entries that are not `type/subtype` or carry a bad q are ignored. */
export function parseAccept(header: string): AcceptRange[] {
  const ranges: AcceptRange[] = []
  for (const entry of header.split(',')) {
    const [range, ...params] = entry.split(';')
    const match = /^\s*([\w!#$%&'*+.^`|~-]+)\/([\w!#$%&'*+.^`|~-]+)\s*$/.exec(range)
    if (match === null) continue
    let quality = 1
    for (const param of params) {
      const [name, value] = param.split('=').map((part) => part.trim())
      if (name.toLowerCase() !== 'q') continue
      quality = /^(0(\.\d{0,3})?|1(\.0{0,3})?)$/.test(value ?? '') ? Number(value) : NaN
    }
    if (Number.isNaN(quality)) continue
    ranges.push({ type: match[1].toLowerCase(), subtype: match[2].toLowerCase(), quality, order: ranges.length })
  }
  return ranges
}

/**
 * Index of the media type (`type/subtype`, lower case) the client accepts best: highest q of the
 * most specific range that matches it, then the range listed first, then declaration order.
 * -1 when the client accepts none of them.
 */
export function pickMediaType(accept: readonly AcceptRange[], mediaTypes: readonly string[]): number {
  let best = -1
  let bestScore: [number, number, number] = [0, 0, 0]
  mediaTypes.forEach((mediaType, index) => {
    const range = bestMatchingRange(accept, mediaType)
    if (range === undefined || range.quality <= 0) return
    const score: [number, number, number] = [range.quality, specificity(range), -range.order]
    if (best === -1 || isBetter(score, bestScore)) {
      best = index
      bestScore = score
    }
  })
  return best
}

/** RFC 9110 §12.5.1: the most specific range that matches decides the media type's quality. */
function bestMatchingRange(accept: readonly AcceptRange[], mediaType: string): AcceptRange | undefined {
  const [type, subtype] = mediaType.split('/')
  let best: AcceptRange | undefined
  for (const range of accept) {
    const matches = (range.type === '*' || range.type === type) && (range.subtype === '*' || range.subtype === subtype)
    if (matches && (best === undefined || specificity(range) > specificity(best))) best = range
  }
  return best
}

function specificity(range: AcceptRange): number {
  return (range.type === '*' ? 0 : 1) + (range.subtype === '*' ? 0 : 1)
}

function isBetter(score: readonly number[], than: readonly number[]): boolean {
  for (let i = 0; i < score.length; i++) if (score[i] !== than[i]) return score[i] > than[i]
  return false
}

export interface Preferences {
  code?: number
  example?: string
}

/** `code=` (a status 100–599) and `example=` (a name, quoted or not) from a Prefer header; anything else is ignored. */
export function parsePrefer(header: string): Preferences {
  const preferences: Preferences = {}
  for (const entry of header.split(/[,;]/)) {
    const equals = entry.indexOf('=')
    if (equals === -1) continue
    const name = entry.slice(0, equals).trim().toLowerCase()
    let value = entry.slice(equals + 1).trim()
    if (value.length >= 2 && value.startsWith('"') && value.endsWith('"')) value = value.slice(1, -1)
    if (name === 'code' && /^[1-5]\d\d$/.test(value)) preferences.code ??= Number(value)
    else if (name === 'example' && value !== '') preferences.example ??= value
  }
  return preferences
}
