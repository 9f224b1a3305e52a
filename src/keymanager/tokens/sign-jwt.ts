// Compact JWS signing (RFC 7515 §7.1) with node:crypto. The key arrives parsed (LoadedKey), with its
// padding/encoding options already built, and the encoded header is cached per key and `typ`, so
// a token costs one JSON.stringify of the claims, two base64url encodings and the signature.
import { sign } from 'node:crypto'
import { GatehouseError } from '../../core/errors/gatehouse-error.ts'
import { derToRawEcdsa } from '../../jose/ecdsa-signature.ts'
import type { LoadedKey } from '../keys/loaded-key.ts'

export interface JwsHeaderInput {
  alg: string
  kid: string
  typ?: string
}

const HEADER_CACHE_LIMIT = 64
/** Bytes of r and of s in an ES256 signature. */
const P256_SIZE = 32
const encodedHeaders = new Map<string, string>()

function encodedHeader(header: JwsHeaderInput): string {
  const cacheKey = `${header.kid}\n${header.alg}\n${header.typ ?? ''}`
  let encoded = encodedHeaders.get(cacheKey)
  if (encoded === undefined) {
    const json = header.typ === undefined
      ? JSON.stringify({ alg: header.alg, kid: header.kid })
      : JSON.stringify({ alg: header.alg, typ: header.typ, kid: header.kid })
    encoded = Buffer.from(json, 'utf8').toString('base64url')
    // Keys rotate rarely; a full cache means something unusual, and starting over is enough.
    if (encodedHeaders.size >= HEADER_CACHE_LIMIT) encodedHeaders.clear()
    encodedHeaders.set(cacheKey, encoded)
  }
  return encoded
}

/** Signs `payload` (any JSON object) with `key`; the header must name the key's own alg and kid. */
export function signJwt(header: JwsHeaderInput, payload: object, key: LoadedKey): string {
  if (header.alg !== key.algorithm || header.kid !== key.kid) {
    throw new GatehouseError('GH_ERR_INTERNAL', `JWS header (alg ${header.alg}, kid ${header.kid}) does not match the signing key (alg ${key.algorithm}, kid ${key.kid})`)
  }
  const signingInput = `${encodedHeader(header)}.${Buffer.from(JSON.stringify(payload), 'utf8').toString('base64url')}`
  // The signing input is base64url text, so latin1 maps it to bytes one to one without UTF-8 work.
  const input = Buffer.from(signingInput, 'latin1')
  // ES256: the bare KeyObject and a DER-to-raw conversion cost half of what signing with
  // `{ key, dsaEncoding: 'ieee-p1363' }` costs (see src/jose/ecdsa-signature.ts).
  const signature = key.algorithm === 'ES256' ? derToRawEcdsa(sign(key.signHash, input, key.privateKey), P256_SIZE) : sign(key.signHash, input, key.signKey)
  return `${signingInput}.${signature.toString('base64url')}`
}
