// Checks a client registration (registry API body or CLI flags) in the light-oauth2 shape and
// turns it into the fields of a ClientRecord. Every problem is a GH_ERR_BAD_REQUEST naming the
// field; nothing is stored until the whole registration is valid.
import { GatehouseError } from '../../core/errors/gatehouse-error.ts'
import type { ClientRecord } from '../../store/ports.ts'
import { GRANTS } from '../grants/index.ts'
import { parseScope } from '../scopes.ts'
import { jwksProblem } from './client-keys.ts'

export type ClientInput = Pick<ClientRecord, 'clientType' | 'clientProfile' | 'clientName' | 'clientDesc' | 'scopes' | 'defaultScopes' | 'redirectUris' | 'ownerId' | 'grantTypes' | 'authMethod' | 'jwks' | 'accessTokenTtl'>

const CLIENT_TYPES = ['public', 'confidential', 'trusted'] as const
const PROFILES = ['webServer', 'mobile', 'browser', 'service', 'batch'] as const
const AUTH_METHODS = ['client_secret_basic', 'client_secret_post', 'private_key_jwt', 'none'] as const
const WRITABLE = ['clientType', 'clientProfile', 'clientName', 'clientDesc', 'scope', 'defaultScope', 'redirectUri', 'ownerId', 'grantTypes', 'authMethod', 'jwks', 'accessTokenTtl']
// What GET returns and PUT may send back unchanged: accepted and ignored.
const READ_ONLY = ['clientId', 'previousSecretExpiresDt', 'createDt', 'updateDt']

function invalid(field: string, problem: string): never {
  throw new GatehouseError('GH_ERR_BAD_REQUEST', `${field}: ${problem}`)
}

/** `maxTtl`: the global access-token lifetime, which a client's own may only shorten. */
export function parseClientInput(body: unknown, maxTtl: number): ClientInput {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) invalid('body', 'must be a JSON object')
  const input = body as Record<string, unknown>
  for (const field of Object.keys(input)) {
    if (!WRITABLE.includes(field) && !READ_ONLY.includes(field)) invalid(field, `unknown field; known fields: ${WRITABLE.join(', ')}`)
  }
  const clientType = oneOf(input, 'clientType', CLIENT_TYPES)
  const authMethod = input.authMethod === undefined ? (clientType === 'public' ? 'none' : 'client_secret_basic') : oneOf(input, 'authMethod', AUTH_METHODS)
  if ((clientType === 'public') !== (authMethod === 'none')) invalid('authMethod', 'public clients, and only they, use "none"')
  const scopes = scopeList(input, 'scope', true)
  const defaultScopes = input.defaultScope === undefined ? scopes : scopeList(input, 'defaultScope', false)
  for (const scope of defaultScopes) if (!scopes.includes(scope)) invalid('defaultScope', `"${scope}" is not in scope`)
  const grantTypes = grantList(input, clientType)
  const jwks = input.jwks === undefined || input.jwks === null ? null : typeof input.jwks === 'string' ? input.jwks : JSON.stringify(input.jwks)
  if ((authMethod === 'private_key_jwt') !== (jwks !== null)) invalid('jwks', 'is required with authMethod private_key_jwt, and only there')
  if (jwks !== null) {
    const problem = jwksProblem(jwks)
    if (problem !== undefined) invalid('jwks', problem)
  }
  const ttl = input.accessTokenTtl
  if (ttl !== undefined && ttl !== null && (!Number.isSafeInteger(ttl) || (ttl as number) < 1 || (ttl as number) > maxTtl)) {
    invalid('accessTokenTtl', `must be a whole number of seconds from 1 to ${maxTtl} (keyManager.tokens.accessTokenTtlSeconds)`)
  }
  return {
    clientType,
    clientProfile: oneOf(input, 'clientProfile', PROFILES),
    clientName: text(input, 'clientName', 1, 128),
    clientDesc: input.clientDesc === undefined ? '' : text(input, 'clientDesc', 0, 1024),
    scopes,
    defaultScopes,
    redirectUris: redirectUris(input.redirectUri),
    ownerId: text(input, 'ownerId', 1, 128),
    grantTypes,
    authMethod,
    jwks,
    accessTokenTtl: ttl === undefined || ttl === null ? null : ttl as number,
  }
}

function oneOf<T extends string>(input: Record<string, unknown>, field: string, values: readonly T[]): T {
  const value = input[field]
  if (typeof value !== 'string' || !(values as readonly string[]).includes(value)) invalid(field, `must be one of ${values.join(', ')}`)
  return value as T
}

function text(input: Record<string, unknown>, field: string, min: number, max: number): string {
  const value = input[field]
  if (typeof value !== 'string' || value.length < min || value.length > max) invalid(field, min > 0 ? `must be text of 1 to ${max} characters` : `must be text of up to ${max} characters`)
  // Control characters would end up in logs and terminals (the CLI prints names).
  if (/[\u0000-\u001f\u007f]/.test(value)) invalid(field, 'must not contain control characters')
  return value
}

function scopeList(input: Record<string, unknown>, field: string, required: boolean): string[] {
  const value = input[field]
  const scopes = typeof value === 'string' ? parseScope(value) : null
  if (scopes === null) invalid(field, 'must be a space-delimited list of scope tokens')
  if (required && scopes.length === 0) invalid(field, 'must name at least one scope')
  if (scopes.length > 100) invalid(field, 'must not name more than 100 scopes')
  return scopes
}

function grantList(input: Record<string, unknown>, clientType: ClientRecord['clientType']): string[] {
  const value = input.grantTypes
  if (value === undefined) {
    if (clientType === 'public') invalid('grantTypes', 'is required for public clients (client_credentials needs a confidential client)')
    return ['client_credentials']
  }
  if (!Array.isArray(value) || value.length === 0) invalid('grantTypes', `must be a non-empty list of: ${[...GRANTS.keys()].join(', ')}`)
  const grants: string[] = []
  for (const grant of value) {
    if (typeof grant !== 'string' || !GRANTS.has(grant)) invalid('grantTypes', `${JSON.stringify(grant)} is not one of: ${[...GRANTS.keys()].join(', ')}`)
    if (!grants.includes(grant)) grants.push(grant)
  }
  if (clientType === 'public' && grants.includes('client_credentials')) invalid('grantTypes', 'a public client cannot use client_credentials')
  return grants
}

function redirectUris(value: unknown): string[] {
  if (value === undefined || value === null) return []
  const list = typeof value === 'string' ? [value] : value
  if (!Array.isArray(list) || list.length > 10) invalid('redirectUri', 'must be a URL or a list of up to 10 URLs')
  return list.map((uri: unknown) => {
    let url: URL | null = null
    try {
      url = typeof uri === 'string' ? new URL(uri) : null
    } catch {
      url = null
    }
    // RFC 6749 §3.1.2: absolute, without fragment; compared as exact strings later.
    if (url === null || (uri as string).includes('#') || (uri as string).length > 2048) invalid('redirectUri', 'each must be an absolute URL without a fragment')
    return uri as string
  })
}
