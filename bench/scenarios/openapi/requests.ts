// The requests of the openapi scenario: the GET query and the 1 KiB POST body wrk sends (both valid
// against bench-api.yaml), the invalid variants that prove validation is in force, and the wrk
// script that turns wrk's GET into that POST.
import { luaString } from '../../lib/lua.ts'

/** Query of every GET: two declared parameters, so the validator decodes and checks both. */
export const VALID_QUERY = 'limit=10&tag=news'
/** `limit` above the document's maximum of 100. */
export const INVALID_QUERY = 'limit=500&tag=news'

/** Size of the POST body in bytes. */
export const BODY_BYTES = 1024
const ENTRIES = 12
const TAGS = [['news', 'sport'], ['tech'], ['news', 'tech', 'local']]

/**
 * A batch of 12 entries (id, name, email, tags) as compact JSON of exactly BODY_BYTES bytes: the
 * `source` text is padded to make up the difference, so the size is the same whatever the entries.
 */
export function validBody(): string {
  const items = Array.from({ length: ENTRIES }, (_, index) => {
    const n = String(index + 1).padStart(2, '0')
    return { id: index + 1, name: `Entry ${n}`, email: `user${n}@example.com`, tags: TAGS[index % TAGS.length] }
  })
  const source = 'bench'
  const unpadded = JSON.stringify({ source, items })
  return JSON.stringify({ source: source.padEnd(source.length + BODY_BYTES - unpadded.length, '-'), items })
}

/** The valid body with a property the document does not allow (`additionalProperties: false`). */
export function invalidBody(): string {
  const batch = JSON.parse(validBody()) as Record<string, unknown>
  return JSON.stringify({ ...batch, isAdmin: true })
}

/** wrk script: every request is a POST of `body` as JSON to the URL wrk was given. */
export function postScript(body: string): string {
  return `-- POST of a fixed JSON body (${Buffer.byteLength(body)} bytes).
wrk.method = "POST"
wrk.headers["Content-Type"] = "application/json"
wrk.body = ${luaString(body)}
`
}
