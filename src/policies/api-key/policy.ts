import { GatehouseError } from '../../core/errors/gatehouse-error.ts'
import type { ConsumerDirectory, KnownConsumer } from '../../kit/consumers.ts'
import type { RequestContext } from '../../kit/context.ts'
import { FailureThrottle, type FailureLimit } from '../../kit/failure-throttle.ts'
import type { HeaderList } from '../../kit/header-list.ts'
import type { PolicyDefinition } from '../../kit/policy.ts'
import { readApiKey, type KeySourceRules } from './key-source.ts'
import { buildRefusals } from './refusals.ts'
import { apiKeySchema, type ApiKeySettings } from './schema.ts'

// Headers that frame the request or that the gateway sets itself: a key read from one would be
// nonsense, and an identity written into one could split or re-route the upstream request.
const RESERVED_HEADERS = new Set([
  'host', 'content-length', 'transfer-encoding', 'connection', 'keep-alive', 'proxy-connection', 'te', 'trailer', 'upgrade',
  'expect', 'x-forwarded-for', 'x-forwarded-proto', 'x-forwarded-host', 'x-forwarded-port', 'x-forwarded-prefix',
  'x-real-ip', 'forwarded', 'via', 'x-correlation-id', 'traceparent', 'tracestate',
])

function apiKeyProblems(settings: ApiKeySettings): string[] {
  const problems: string[] = []
  for (const field of ['header', 'identityHeader'] as const) {
    if (RESERVED_HEADERS.has(settings[field].toLowerCase())) problems.push(`${field}: ${settings[field]} is a header the gateway manages itself; choose another name`)
  }
  if (spelling(settings.header) === spelling(settings.identityHeader)) problems.push('identityHeader: must differ from header')
  return problems
}

/** Some servers read `X_Consumer_Id` as `X-Consumer-Id`, so both spellings count as one name. */
function spelling(name: string): string {
  return name.toLowerCase().replaceAll('_', '-')
}

/** `field` spelled like `wanted` (already lower case with `-`), compared without allocating. */
function sameSpelling(field: string, wanted: string): boolean {
  for (let i = 0; i < field.length; i++) {
    let code = field.charCodeAt(i)
    if (code >= 65 && code <= 90) code += 32
    else if (code === 95) code = 45
    if (code !== wanted.charCodeAt(i)) return false
  }
  return true
}

/** Removes every field spelled like `wanted` (given as `spelling()` returns it: any case, `_` for `-`). */
function removeAllSpellings(headers: HeaderList, wanted: string): void {
  const flat = headers.flat
  let write = 0
  for (let read = 0; read < flat.length; read += 2) {
    const field = flat[read]
    if (field.length === wanted.length && sameSpelling(field, wanted)) continue
    flat[write] = field
    flat[write + 1] = flat[read + 1]
    write += 2
  }
  flat.length = write
}

/**
 * The failure count of a loaded config's api-key routes with the same limit: a source refused on
 * one of them is refused on all, so spreading guesses over routes gains nothing. Keyed by the
 * consumer directory, which belongs to one loaded config; a reload starts new counts.
 */
const sharedThrottles = new WeakMap<ConsumerDirectory, Map<string, FailureThrottle>>()

function failureThrottle(consumers: ConsumerDirectory, limit: FailureLimit): FailureThrottle | undefined {
  if (limit.maxFailures === 0) return undefined
  let byLimit = sharedThrottles.get(consumers)
  if (byLimit === undefined) {
    byLimit = new Map()
    sharedThrottles.set(consumers, byLimit)
  }
  const name = `${limit.maxFailures}/${limit.windowSeconds}`
  let throttle = byLimit.get(name)
  if (throttle === undefined) {
    throttle = new FailureThrottle(limit)
    byLimit.set(name, throttle)
  }
  return throttle
}

export const apiKeyPolicy: PolicyDefinition<ApiKeySettings> = {
  name: 'api-key',
  description: 'Lets a route through only with the API key of a known, active consumer, and tells the upstream who the consumer is.',
  schema: apiKeySchema,
  check: apiKeyProblems,
  create(settings, env) {
    const problems = apiKeyProblems(settings)
    if (problems.length > 0) throw new GatehouseError('GH_ERR_CONFIG_INVALID', `api-key: ${problems.join('; ')}`)
    const consumers = env.consumers
    if (consumers === undefined) throw new GatehouseError('GH_ERR_CONFIG_INVALID', 'api-key: no consumer directory is available to check keys against')
    const rules: KeySourceRules = { header: settings.header.toLowerCase(), queryParam: settings.queryParam }
    const refusals = buildRefusals(settings.header, settings.queryParam)
    const { hideCredentials, identityHeader } = settings
    const keyHeaderSpelling = spelling(settings.header)
    const identityHeaderSpelling = spelling(identityHeader)
    const throttle = failureThrottle(consumers, settings.failureLimit)
    const { log, routeName } = env

    /** Counts a refusal against the client address (KEY-05), and says so once the address is out of tries. */
    function countFailure(clientIp: string): void {
      if (throttle?.recordFailure(clientIp) === true) {
        log?.('api-key.failure_limit_reached', { route: routeName, clientIp, windowSeconds: settings.failureLimit.windowSeconds })
      }
    }

    return {
      // Synchronous: the directory is in memory, so a request never waits on the store.
      authenticate: function authenticateApiKey(ctx: RequestContext): void {
        const clientIp = ctx.request.clientIp
        // A source past its limit is refused before its key is read, even a valid key: answering
        // a valid one would turn the 429 into an oracle that tells hits from misses, and the
        // limit would not limit guessing at all. For everyone else this is a size check, or one
        // Map lookup while some source has failures on record.
        if (throttle !== undefined) {
          const wait = throttle.retryAfter(clientIp)
          if (wait > 0) throw refusals.tooManyFailures(wait)
        }
        let consumer: KnownConsumer | undefined
        try {
          consumer = consumers.findByApiKey(readApiKey(ctx, rules, refusals))
        } catch (error) {
          countFailure(clientIp)
          throw error
        }
        if (consumer === undefined || consumer.status !== 'active') {
          countFailure(clientIp)
          throw consumer === undefined ? refusals.invalid : refusals.suspended
        }
        ctx.identity = ctx.identity === undefined ? { consumerId: consumer.consumerId } : { ...ctx.identity, consumerId: consumer.consumerId }
        const upstream = ctx.upstream.headers
        if (hideCredentials) removeAllSpellings(upstream, keyHeaderSpelling)
        // Whatever the client sent as its own identity never reaches the upstream (SMUG-13).
        removeAllSpellings(upstream, identityHeaderSpelling)
        upstream.add(identityHeader, consumer.consumerId)
      },
    }
  },
}
