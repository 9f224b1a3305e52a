// Renders docs/configuration.md from the config schema (see generate-docs.ts). A test compares the
// committed file with this output, so the reference cannot drift from what the loader accepts.
import { EXAMPLE_CONFIG } from './docs-example.ts'
import { CONFIG_SCHEMA, type SchemaNode } from './schema.ts'

const INTRO = `# Configuration

<!-- Generated from src/config/schema.ts by \`npx node src/config/generate-docs.ts\`. Do not edit by hand. -->

Gatehouse reads one YAML file, \`gatehouse.yaml\` unless told otherwise. The whole file is checked when
it is loaded, before anything starts listening: unknown fields, wrong types, out-of-range values,
routes that refer to missing upstreams, conflicting routes, unreadable TLS files and an exposed admin
API are all reported together, one line each, pointing at the place in the file:

\`\`\`
gatehouse.yaml:42:7 routes[3].policies.rate-limit.limit: must be >= 1 (GH_ERR_CONFIG_INVALID)
\`\`\`

The codes are listed in [errors.md](errors.md).

## Example

\`\`\`yaml
${EXAMPLE_CONFIG}\`\`\`

## Environment variables

Any string value may contain \`\${env:NAME}\`, alone or inside a longer string; it is replaced by the
variable's value. A variable that is unset or empty stops the load with \`GH_ERR_CONFIG_ENV_MISSING\`
naming it (it is never replaced by an empty string). Write \`$\${env:NAME}\` for the literal text
\`\${env:NAME}\`. An unquoted value that is exactly one reference takes the type its text would have
in YAML, so \`port: \${env:PORT}\` gives a number; quote it (\`"\${env:NAME}"\`) to keep a string.
Inside a flow collection (\`[...]\` or \`{...}\`) a reference must be quoted, since YAML reads \`{\` there.
Values taken from the environment are never repeated in error messages.

## Paths and short forms

- File paths (\`listeners[].tls\`, \`observability.accessLog.destination\`) are relative to the
  directory of the config file; the loaded configuration holds them as absolute paths.
- \`upstreams\` is a map: its keys are the upstream names routes refer to.
- A target may be written as its URL alone; it then has weight 1.
- A route may give one \`path\` instead of a \`paths\` list, and one host as a string.
- Methods may be written in any case; they are upper-cased.
- Health-check statuses are listed as codes and inclusive ranges: \`[200, "204-299"]\`.

## Protection limits

Settings under \`limits\` that switch a protection off — \`0\` (no limit) or a value outside the safe
range given for the field — are refused unless \`limits.unsafe: true\` is set. With it they are
accepted and the loader warns about each one.

## Policies

\`policies\` (for every route) and \`routes[].policies\` map a policy name to its settings. The
settings are checked against that policy's own schema, which also supplies their defaults; a policy
written with no settings (\`cors:\`) uses its defaults. A route's settings for a policy replace the
global settings for the same policy. Each policy's documentation lists its settings.

## Access log

With \`observability.accessLog\` on, every request ends in one JSON line, with the same \`level\`,
\`time\`, \`pid\` and \`hostname\` fields as the process log and \`msg: "request"\`:

| field | meaning |
|---|---|
| \`correlationId\` | The request's \`X-Correlation-Id\`: the client's when valid, else a new UUID. |
| \`method\`, \`path\` | As received, the query included; the values of credential parameters (\`access_token\`, \`api_key\`, \`client_secret\`, …) are replaced by \`***\`. |
| \`status\` | The status sent; \`499\` when the client went away before any answer. |
| \`durationMs\` | From the request head to the end of the response. |
| \`upstreamMs\` | From sending the request on an upstream connection to the upstream's response head; \`null\` when no response head came from upstream. |
| \`bytesSent\` | Body bytes sent to the client, whoever wrote them (the upstream, a policy, the gateway's problem document); the head is not counted, and a HEAD, 1xx, 204 or 304 answer counts 0. |
| \`clientIp\` | The client address (see \`forwarding.trustedProxies\`). |
| \`route\`, \`target\` | The route's name (\`(key manager)\` for the key manager's endpoints) and the upstream target; \`null\` when none. |
| \`errorCode\` | The \`GH_ERR_…\` code of the gateway's refusal or failure, else \`null\`; the key manager's OAuth errors show in \`status\` only. |
| \`aborted\` | \`true\` when the client went away before the response ended. |

## Metrics

With \`observability.metrics\` on, the admin listener serves \`GET /metrics\` in the Prometheus
text format; with several workers the primary combines theirs as noted.

| metric | type | labels | meaning |
|---|---|---|---|
| \`gatehouse_requests_total\` | counter | \`route\`, \`status\` | Requests by route (\`(unmatched)\`, \`(key manager)\` for those) and status; \`499\`: the client went away first. Summed. |
| \`gatehouse_request_duration_seconds\` | histogram | \`route\` | From the request head to the end of the response. Summed. |
| \`gatehouse_upstream_duration_seconds\` | histogram | \`route\` | From sending the request upstream to the upstream response head (the access log's \`upstreamMs\`). Summed. |
| \`gatehouse_active_connections\` | gauge | | Open client connections. Summed. |
| \`gatehouse_upstream_target_healthy\` | gauge | \`upstream\`, \`target\` | 1 while the target gets traffic, 0 while ejected or failing health checks. The minimum over workers. |
| \`gatehouse_jwks_keys\` | gauge | \`jwks_uri\` | Usable keys of each JWK Set the jwt policy fetches; 0: that issuer's tokens get 503. The minimum over workers. |
| \`gatehouse_jwks_fetches_total\` | counter | \`jwks_uri\`, \`result\` | JWK Set fetches, \`success\` or \`failure\`. Summed. |
| \`gatehouse_config_reloads_total\` | counter | \`result\` | Reload attempts, \`success\` or \`failure\`. The largest over workers (each applies every reload). |

Node.js's own process metrics (\`process_*\`, \`nodejs_*\`: CPU, memory, event-loop lag, GC) come
with them.

## Reference
`

export function renderConfigurationDoc(): string {
  const sections: string[] = [INTRO]
  for (const [key, node] of Object.entries(CONFIG_SCHEMA.properties ?? {})) {
    const rows: string[] = []
    collectRows(node, key, CONFIG_SCHEMA.required?.includes(key) ?? false, rows)
    sections.push(`### ${key}\n\n${node.description ?? ''}\n\n| Field | Type | Default | Description |\n|---|---|---|---|\n${rows.join('\n')}\n`)
  }
  return sections.join('\n')
}

function collectRows(node: SchemaNode, label: string, required: boolean, rows: string[]): void {
  rows.push(`| \`${label}\` | ${typeOf(node)} | ${defaultOf(node, required)} | ${cell(node.description ?? '')} |`)
  for (const [key, child] of Object.entries(node.properties ?? {})) {
    collectRows(child, `${label}.${key}`, node.required?.includes(key) ?? false, rows)
  }
  if (typeof node.additionalProperties === 'object') collectRows(node.additionalProperties, `${label}.<name>`, false, rows)
  const items = node.items
  if (items !== undefined && (items.properties !== undefined || [items.type].flat().includes('object'))) collectRows(items, `${label}[]`, false, rows)
}

function typeOf(node: SchemaNode): string {
  if (node.enum !== undefined) return node.enum.map((value) => `\`${String(value)}\``).join(' \\| ')
  const types = [node.type ?? 'any'].flat().map((type) => {
    if (type === 'array' && node.items !== undefined) return `list of ${[node.items.type ?? 'any'].flat().join(' or ')}`
    if (type === 'object' && typeof node.additionalProperties === 'object') return 'map'
    return type
  })
  return [types.join(' or '), ...bounds(node)].join(', ')
}

function bounds(node: SchemaNode): string[] {
  const result: string[] = []
  if (node.minimum !== undefined && node.maximum !== undefined && node.maximum < Number.MAX_SAFE_INTEGER) result.push(`${node.minimum}–${node.maximum}`)
  else if (node.minimum !== undefined) result.push(`≥ ${node.minimum}`)
  if (node.minLength !== undefined && node.minLength > 1) result.push(`at least ${node.minLength} characters`)
  if (node.minItems !== undefined) result.push(`at least ${node.minItems}`)
  return result
}

function defaultOf(node: SchemaNode, required: boolean): string {
  if (required) return 'required'
  if (node.default === undefined) return ''
  if (typeof node.default === 'object' && node.default !== null && !Array.isArray(node.default)) return ''
  return `\`${typeof node.default === 'string' ? node.default : JSON.stringify(node.default)}\``
}

function cell(text: string): string {
  return text.replaceAll('|', '\\|').replaceAll('\n', ' ')
}
