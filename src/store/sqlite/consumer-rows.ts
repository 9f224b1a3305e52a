import type { SQLInputValue, SQLOutputValue } from 'node:sqlite'
import type { ApiKeyRecord, ConsumerClientRecord, ConsumerRecord } from '../ports.ts'

// Consumer records ↔ rows, in the same style as rows.ts: named parameters spelled like the fields.

type Row = Record<string, SQLOutputValue>
type Params = Record<string, SQLInputValue>

export function consumerParams(c: ConsumerRecord): Params {
  return { consumerId: c.consumerId, name: c.name, status: c.status, createdAt: c.createdAt, updatedAt: c.updatedAt }
}

export function consumerFromRow(r: Row): ConsumerRecord {
  return {
    consumerId: String(r.consumerId), name: String(r.name), status: String(r.status) as ConsumerRecord['status'],
    createdAt: Number(r.createdAt), updatedAt: Number(r.updatedAt),
  }
}

export function apiKeyParams(k: ApiKeyRecord): Params {
  return { digest: k.digest, consumerId: k.consumerId, label: k.label, createdAt: k.createdAt, revokedAt: k.revokedAt }
}

export function apiKeyFromRow(r: Row): ApiKeyRecord {
  return {
    digest: String(r.digest), consumerId: String(r.consumerId), label: String(r.label), createdAt: Number(r.createdAt),
    revokedAt: r.revokedAt === null ? null : Number(r.revokedAt),
  }
}

export function clientLinkParams(l: ConsumerClientRecord): Params {
  return { clientId: l.clientId, consumerId: l.consumerId }
}

export function clientLinkFromRow(r: Row): ConsumerClientRecord {
  return { clientId: String(r.clientId), consumerId: String(r.consumerId) }
}
