// JSON Schema (draft-07, as ajv 8 reads it) of gatehouse.yaml. Every field has a description, and
// a default wherever a safe one exists; docs/configuration.md is generated from this schema.
// It describes the file as written: short forms (a bare target URL, `path`, a single host) are
// accepted here and normalised by the loader.
import { object, type SchemaNode } from './schema-kit.ts'
import { APIS } from './schema-apis.ts'
import { CONSUMER_REFRESH_SECONDS, CONSUMERS } from './schema-consumers.ts'
import { KEY_MANAGER } from './schema-keymanager.ts'
import { policyMap, ROUTES } from './schema-routes.ts'
import { ADMIN, FORWARDING, LIMITS, LISTENERS, OBSERVABILITY, SHUTDOWN, WORKERS } from './schema-server.ts'
import { UPSTREAMS } from './schema-upstreams.ts'

export type { SchemaNode } from './schema-kit.ts'

export const CONFIG_SCHEMA: SchemaNode = object('A Gatehouse configuration file.', {
  workers: WORKERS,
  listeners: LISTENERS,
  admin: ADMIN,
  limits: LIMITS,
  forwarding: FORWARDING,
  observability: OBSERVABILITY,
  shutdown: SHUTDOWN,
  upstreams: UPSTREAMS,
  routes: ROUTES,
  apis: APIS,
  policies: policyMap('Policies applied to every route, by name.'),
  keyManager: KEY_MANAGER,
  consumers: CONSUMERS,
  consumerRefreshSeconds: CONSUMER_REFRESH_SECONDS,
}, { required: ['listeners'] })
