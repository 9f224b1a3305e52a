// Schema of the process-level sections: workers, listeners, admin, limits, forwarding,
// observability and shutdown.
import { boolean, duration, integer, MiB, name, object, oneOf, section, string, type SchemaNode } from './schema-kit.ts'

/** Limits below/above these need `limits.unsafe: true` (they switch a protection off). */
export const SAFE_LIMITS = {
  maxHeaderSize: { min: 1024, max: 65536 },
  maxBodySize: { min: 1, max: 1024 * MiB },
  headersTimeoutMs: { min: 1, max: Number.MAX_SAFE_INTEGER },
  requestTimeoutMs: { min: 1, max: Number.MAX_SAFE_INTEGER },
  keepAliveTimeoutMs: { min: 1, max: Number.MAX_SAFE_INTEGER },
  maxConnections: { min: 1, max: Number.MAX_SAFE_INTEGER },
} as const

const HOST: SchemaNode = string('', { pattern: '^[^\\s/]+$', patternMessage: 'must be an IP address or host name' })
const PORT = (description: string, defaultValue?: number): SchemaNode => integer(description, 0, 65535, defaultValue)

export const WORKERS: SchemaNode = {
  type: ['integer', 'string'],
  description: 'Worker processes serving traffic: a number, or `auto` for one per CPU core.',
  default: 1,
  minimum: 1,
  maximum: 1024,
  pattern: '^auto$',
  patternMessage: 'must be "auto" or a whole number of at least 1',
}

export const LISTENERS: SchemaNode = {
  type: 'array',
  description: 'Addresses the gateway accepts client traffic on. At least one is required.',
  minItems: 1,
  items: object('A listener.', {
    name: name('Name of the listener, unique; used in logs and metrics.'),
    protocol: oneOf('`http`, or `https` (then `tls` is required).', ['http', 'https'], 'http'),
    host: { ...HOST, description: 'Address to bind.', default: '0.0.0.0' },
    port: PORT('TCP port; `0` picks a free port.'),
    tls: object('Certificate and key for `https` listeners.', {
      cert: string('PEM certificate chain file, relative to the config file.'),
      key: string('PEM private key file, relative to the config file.'),
    }, { required: ['cert', 'key'] }),
  }, { required: ['name', 'port'] }),
}

export const ADMIN: SchemaNode = section('The admin API listener.', {
  host: { ...HOST, description: 'Address to bind. Any address other than a loopback one requires `token`.', default: '127.0.0.1' },
  port: PORT('TCP port of the admin API.', 9876),
  token: string('Bearer token the admin API requires (at least 16 characters). Use `${env:NAME}` rather than writing it into the file.', { minLength: 16 }),
})

export const LIMITS: SchemaNode = section('Bounds on client connections and requests. Values that switch a protection off (0, or beyond the safe range named per field) are rejected unless `unsafe` is true.', {
  maxHeaderSize: integer('Maximum size of the request line and headers, in bytes (431 beyond it). Safe range 1024-65536.', 1024, 16 * MiB, 16384),
  maxBodySize: integer('Maximum request body in bytes for routes without a request-size policy (413 beyond it). Safe range 1 byte to 1 GiB; 0 means unlimited.', 0, Number.MAX_SAFE_INTEGER, 10 * MiB),
  headersTimeoutMs: duration('Time allowed to receive the complete request head (408 after it); 0 means no limit.', 60000, 0),
  requestTimeoutMs: duration('Time allowed to receive the whole request, body included; 0 means no limit. Must not be shorter than `headersTimeoutMs`.', 300000, 0),
  keepAliveTimeoutMs: duration('Idle keep-alive client connections are closed after this long; 0 means never.', 5000, 0),
  maxConnections: integer('Concurrent client connections per worker; further connections are refused. 0 means unlimited.', 0, Number.MAX_SAFE_INTEGER, 10000),
  unsafe: boolean('Allow the values above that switch a protection off. The loader warns about each one.', false),
})

export const FORWARDING: SchemaNode = section('How the gateway treats and adds forwarding headers.', {
  trustedProxies: {
    type: 'array',
    description: 'Addresses or CIDR ranges (`10.0.0.0/8`, `::1`) of proxies whose X-Forwarded-* and Forwarded headers are trusted. Empty: none are.',
    default: [],
    items: string('An IP address or CIDR range.'),
  },
  via: boolean('Add a `Via` header to requests and responses.', true),
  forwarded: boolean('Add an RFC 7239 `Forwarded` header in addition to X-Forwarded-*.', false),
})

export const OBSERVABILITY: SchemaNode = section('Logs and metrics.', {
  accessLog: section('One line per request.', {
    enabled: boolean('Write the access log.', true),
    destination: string('`stdout`, `stderr`, or a file path (relative to the config file).', { default: 'stdout' }),
  }),
  logLevel: oneOf('Level of the process log.', ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'], 'info'),
  metrics: boolean('Collect Prometheus metrics, served by the admin API.', true),
})

export const SHUTDOWN: SchemaNode = section('Graceful shutdown.', {
  drainTimeoutMs: duration('On shutdown, time allowed for in-flight requests to finish before connections are closed.', 30000, 0),
})
