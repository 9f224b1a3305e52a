// Client secret rotation with an overlap (KEY-07): the client gets a new secret, and the one it
// had stays accepted for `overlapSeconds` more, so every instance of the client can switch over
// before the old one stops. One previous secret at a time: rotating again during an overlap
// retires the oldest at once. An overlap of 0 ends the old secret at once (a leaked secret).
// Both are stored by digest only; authentication reads them from the shared store, so every
// node accepts and refuses the same secrets.
import { GatehouseError } from '../../core/errors/gatehouse-error.ts'
import type { ClientSecretFields } from '../../store/ports.ts'
import { generateSecret } from '../secrets/generate-secret.ts'
import { untilNoRace, usesSecret, type RegisteredClient, type RegistryDeps } from './registry.ts'

export const DEFAULT_OVERLAP_SECONDS = 3600
export const MAX_OVERLAP_SECONDS = 30 * 86_400

export interface RotationInput {
  overlapSeconds: number
}

function invalid(field: string, problem: string): never {
  throw new GatehouseError('GH_ERR_BAD_REQUEST', `${field}: ${problem}`)
}

/** Checks a rotation request body; undefined (no body) takes the defaults. */
export function parseRotationInput(body: unknown): RotationInput {
  if (body === undefined) return { overlapSeconds: DEFAULT_OVERLAP_SECONDS }
  if (typeof body !== 'object' || body === null || Array.isArray(body)) invalid('body', 'must be a JSON object, e.g. {"overlapSeconds": 3600}')
  for (const field of Object.keys(body)) if (field !== 'overlapSeconds') invalid(field, 'unknown field; known fields: overlapSeconds')
  const overlap = (body as { overlapSeconds?: unknown }).overlapSeconds
  if (overlap === undefined) return { overlapSeconds: DEFAULT_OVERLAP_SECONDS }
  if (typeof overlap !== 'number' || !Number.isSafeInteger(overlap) || overlap < 0 || overlap > MAX_OVERLAP_SECONDS) {
    invalid('overlapSeconds', `must be a whole number of seconds from 0 to ${MAX_OVERLAP_SECONDS} (30 days)`)
  }
  return { overlapSeconds: overlap }
}

/**
 * Gives the client a new secret, returned once, and keeps the current one accepted until
 * now + `overlapSeconds`. null when there is no such client; GH_ERR_BAD_REQUEST when the
 * client authenticates without a secret.
 */
export function rotateClientSecret(deps: RegistryDeps, clientId: string, input: RotationInput): Promise<RegisteredClient | null> {
  return untilNoRace(clientId, async () => {
    const existing = await deps.store.getClient(clientId)
    if (existing === null) return null
    if (!usesSecret(existing.authMethod) || existing.secretDigest === null) {
      invalid('authMethod', `the client uses ${existing.authMethod}, which has no secret to rotate; only client_secret_basic and client_secret_post clients have one`)
    }
    const now = Math.floor(deps.now())
    const secret = generateSecret(32)
    const overlapping = input.overlapSeconds > 0
    const fields: ClientSecretFields = {
      secretDigest: deps.hasher.digest(secret),
      previousSecretDigest: overlapping ? existing.secretDigest : null,
      previousSecretExpiresAt: overlapping ? now + input.overlapSeconds : null,
      updatedAt: now,
    }
    // Only the secret fields, and only while the secret is the one read: two rotations at once
    // both hand out working secrets (the later keeps the earlier as its previous one), and a
    // settings change made meanwhile stays.
    if (!await deps.store.swapClientSecret(clientId, existing.secretDigest, fields)) return undefined
    return { record: { ...existing, ...fields }, secret }
  })
}
