// JSON pointers as URI fragments (`#/paths/~1v1~1data/get`): the form every issue and model
// `pointer` is written in.

export function escapeSegment(segment: string | number): string {
  return String(segment).replaceAll('~', '~0').replaceAll('/', '~1')
}

/** `#` followed by the escaped segments. */
export function formatPointer(segments: readonly (string | number)[]): string {
  return '#' + segments.map((segment) => '/' + escapeSegment(segment)).join('')
}

export function appendPointer(pointer: string, ...segments: (string | number)[]): string {
  return pointer + segments.map((segment) => '/' + escapeSegment(segment)).join('')
}

/** The unescaped segments of a pointer written by this loader (`#/a/b~1c`), never percent-decoded. */
export function parsePointer(pointer: string): string[] {
  const text = pointer.startsWith('#') ? pointer.slice(1) : pointer
  if (text === '') return []
  return text.replace(/^\//, '').split('/').map(unescapeSegment)
}

/**
 * The segments of a `$ref` fragment (`#/a/b~1c`, possibly percent-encoded as URI fragments may
 * be), or undefined when it is not a JSON pointer (a plain-name fragment like `#anchor`).
 */
export function parseFragment(fragment: string): string[] | undefined {
  let text = fragment.startsWith('#') ? fragment.slice(1) : fragment
  try {
    text = decodeURIComponent(text)
  } catch {
    return undefined
  }
  if (text === '') return []
  if (!text.startsWith('/')) return undefined
  return text.slice(1).split('/').map(unescapeSegment)
}

function unescapeSegment(segment: string): string {
  return segment.replaceAll('~1', '/').replaceAll('~0', '~')
}

/** The value at `segments` inside `root`, or undefined when the path does not exist. */
export function valueAt(root: unknown, segments: readonly string[]): unknown {
  let node = root
  for (const segment of segments) {
    if (Array.isArray(node)) {
      if (!/^(0|[1-9]\d*)$/.test(segment)) return undefined
      node = node[Number(segment)]
    } else if (isObject(node) && Object.hasOwn(node, segment)) {
      node = node[segment]
    } else return undefined
  }
  return node
}

export function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value)
}
