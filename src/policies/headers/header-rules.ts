import { FIELD_VALUE_PATTERN, TOKEN_PATTERN, type HeaderOperations } from './schema.ts'

const TOKEN = new RegExp(TOKEN_PATTERN)
const FIELD_VALUE = new RegExp(FIELD_VALUE_PATTERN)

/**
 * Fields that carry message framing or connection management. The gateway sets them from the
 * message it actually sends; letting configuration change them would desynchronise what the
 * gateway and the peer think the message boundaries are (request smuggling, truncated responses).
 */
const FRAMING_HEADERS = new Set(['connection', 'content-length', 'keep-alive', 'proxy-connection', 'te', 'trailer', 'transfer-encoding', 'upgrade'])

type Side = 'request' | 'response'
type Operation = 'add' | 'set' | 'remove' | 'rename'

/** Problems with one side's operations, each naming the field as `side.operation.Name`. */
export function operationProblems(side: Side, ops: HeaderOperations): string[] {
  const problems: string[] = []
  // Each header may be named by one operation only, so the result never depends on ordering rules.
  const seen = new Map<string, string>()

  const checkName = (where: string, name: string, operation: Operation) => {
    if (!TOKEN.test(name)) {
      problems.push(`${where}: '${name}' is not a valid header name (an RFC 9110 token)`)
      return
    }
    const lower = name.toLowerCase()
    if (FRAMING_HEADERS.has(lower)) problems.push(`${where}: '${lower}' controls message framing and is managed by the gateway; it cannot be changed`)
    else if (lower === 'host' && !(side === 'request' && operation === 'set')) problems.push(`${where}: 'host' can only be changed with request.set (a request carries exactly one Host)`)
    const earlier = seen.get(lower)
    if (earlier !== undefined) problems.push(`${where}: '${lower}' is already named by ${earlier}; name each header in one operation only`)
    else seen.set(lower, where)
  }
  const checkValue = (where: string, value: string) => {
    // The value itself is not echoed: it may be a credential.
    if (!FIELD_VALUE.test(value)) problems.push(`${where}: value may only contain visible characters, spaces and tabs (no CR, LF, NUL or other control characters)`)
  }

  ops.remove.forEach((name, index) => checkName(`${side}.remove[${index}]`, name, 'remove'))
  for (const [from, to] of Object.entries(ops.rename)) {
    checkName(`${side}.rename.${from}`, from, 'rename')
    checkName(`${side}.rename.${from} (new name)`, to, 'rename')
  }
  for (const operation of ['set', 'add'] as const) {
    for (const [name, value] of Object.entries(ops[operation])) {
      checkName(`${side}.${operation}.${name}`, name, operation)
      checkValue(`${side}.${operation}.${name}`, value)
    }
  }
  return problems
}
