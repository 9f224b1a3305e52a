// Schema of `upstreams`: named sets of targets with pooling, timeouts, retries and health checks.
import { duration, integer, mapOf, object, oneOf, section, string, type SchemaNode } from './schema-kit.ts'

export const STATUS_RANGE_PATTERN = '^([1-5][0-9][0-9])-([1-5][0-9][0-9])$'

const TARGET_URL = 'Target base URL: `http://host` or `http://host:port`, without a path, query or credentials.'

const TARGET: SchemaNode = {
  type: ['string', 'object'],
  description: `A target: its URL as a string (weight 1), or \`{url, weight}\`. ${TARGET_URL}`,
  minLength: 1,
  additionalProperties: false,
  required: ['url'],
  properties: {
    url: string(TARGET_URL),
    weight: integer('Share of requests relative to the other targets.', 1, 1000, 1),
  },
}

const ACTIVE_HEALTH_CHECK = object('Probe each target periodically; left out, no probes are sent.', {
  path: string('Path requested on each target.', { pattern: '^/', patternMessage: 'must start with "/"' }),
  intervalMs: duration('Time between probes of one target.', 5000, 100),
  timeoutMs: duration('A probe without a response head after this long fails. Must not exceed `intervalMs`.', 2000),
  healthyThreshold: integer('Consecutive successful probes that bring an unhealthy target back.', 1, 1000, 2),
  unhealthyThreshold: integer('Consecutive failed probes that take a target out of rotation.', 1, 1000, 3),
  expectStatus: {
    type: 'array',
    description: 'Response statuses counted as healthy: status codes (`204`) and inclusive ranges (`"200-399"`), mixed freely.',
    default: ['200-399'],
    minItems: 1,
    items: {
      type: ['integer', 'string'],
      description: 'A status code or a `low-high` range.',
      minimum: 100,
      maximum: 599,
      pattern: STATUS_RANGE_PATTERN,
      patternMessage: 'must be a status code or a range like "200-399"',
    },
  },
}, { required: ['path'] })

const PASSIVE_HEALTH_CHECK = section('Take a target out of rotation after failures seen on real traffic.', {
  consecutiveFailures: integer('Consecutive failures (connect errors, timeouts, 5xx) that eject a target.', 1, 1_000_000, 5),
  ejectMs: duration('How long an ejected target stays out of rotation.', 30000),
})

export const UPSTREAM: SchemaNode = object('An upstream: the targets a route forwards to.', {
  targets: { type: 'array', description: 'Servers that receive the traffic.', minItems: 1, items: TARGET },
  balancing: oneOf('How a target is chosen for each request.', ['round-robin', 'least-connections'], 'round-robin'),
  poolSize: integer('Maximum open connections per target.', 1, 100_000, 128),
  queueSize: integer('Requests that may wait for a connection per target; beyond it the gateway answers 503.', 0, 1_000_000, 1024),
  keepAliveMs: duration('Idle pooled connections are closed after this long.', 4000),
  timeouts: section('Upstream timeouts.', {
    connectMs: duration('Time allowed to open a connection.', 2000),
    headersMs: duration('Time from the request being sent until the response head arrives.', 30000),
    bodyMs: duration('Longest pause between two body chunks, in either direction.', 30000),
  }),
  retries: integer('Extra attempts on another target for idempotent methods, before any byte reached the client.', 0, 10, 1),
  healthCheck: section('Health checking.', { active: ACTIVE_HEALTH_CHECK, passive: PASSIVE_HEALTH_CHECK }),
}, { required: ['targets'] })

export const UPSTREAMS: SchemaNode = mapOf('Upstreams by name (the name routes refer to; letters, digits, ".", "_", "-").', UPSTREAM)
