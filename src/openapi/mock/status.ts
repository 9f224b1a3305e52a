// Which declared response answers: by default the operation's success, else the one asked for.
import type { ResponseModel } from '../model.ts'

export type StatusKind = 'exact' | 'range' | 'default'

export interface DeclaredStatus {
  kind: StatusKind
  /** The status sent when nothing asks for another: the code, `4XX` → 400, `default` → 200. */
  status: number
  response: ResponseModel
}

export function parseStatus(response: ResponseModel): DeclaredStatus | undefined {
  const written = response.status.trim()
  if (/^[1-5]\d\d$/.test(written)) return { kind: 'exact', status: Number(written), response }
  if (/^[1-5]xx$/i.test(written)) return { kind: 'range', status: Number(written[0]) * 100, response }
  if (written.toLowerCase() === 'default') return { kind: 'default', status: 200, response }
  return undefined
}

/**
 * The response a mock answers with by default: the lowest explicit 2xx code (an explicit code is
 * more specific than a range, as in OpenAPI's own precedence), else `2XX`, else `default`, else
 * the lowest code declared at all (an operation that only describes errors is still answerable).
 */
export function defaultStatus(declared: readonly DeclaredStatus[]): DeclaredStatus | undefined {
  const lowest = (list: DeclaredStatus[]): DeclaredStatus | undefined => list.sort((a, b) => a.status - b.status)[0]
  return (
    lowest(declared.filter((entry) => entry.kind === 'exact' && entry.status >= 200 && entry.status < 300)) ??
    declared.find((entry) => entry.kind === 'range' && entry.status === 200) ??
    declared.find((entry) => entry.kind === 'default') ??
    lowest(declared.filter((entry) => entry.kind !== 'default'))
  )
}

/** The response declared for `code`: its exact code, else the range it falls in; `default` only when `orDefault`. */
export function responseFor(declared: readonly DeclaredStatus[], code: number, orDefault: boolean): DeclaredStatus | undefined {
  return (
    declared.find((entry) => entry.kind === 'exact' && entry.status === code) ??
    declared.find((entry) => entry.kind === 'range' && entry.status === Math.floor(code / 100) * 100) ??
    (orDefault ? declared.find((entry) => entry.kind === 'default') : undefined)
  )
}
