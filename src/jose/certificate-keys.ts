// Keys configured as files, by kid (the light-4j `security.yml` style): PEM certificates or public
// keys, read and parsed once when the configuration is compiled (the jwt policy's issuers, the key
// manager's trusted issuers). The certificate is only a container for
// the key here; its validity dates and issuer are not checked, as with a JWK.
import { createPublicKey, type KeyObject } from 'node:crypto'
import { readFileSync } from 'node:fs'
import { resolve } from 'node:path'
import { GatehouseError } from '../core/errors/gatehouse-error.ts'
import { keyFamily } from './jws-algorithms.ts'
import type { VerificationKey } from './verification-key.ts'
import { keyLookup, type KeySource } from './key-lookup.ts'

/**
 * Loads every file; throws GH_ERR_CONFIG_INVALID naming the setting and the file as written. `at`
 * is where the map sits in the configuration, e.g. `jwt: issuers[0]`.
 */
export function certificateKeys(certificates: Record<string, string>, configDir: string, at: string): KeySource {
  const byKid = new Map<string, VerificationKey>()
  for (const [kid, file] of Object.entries(certificates)) {
    byKid.set(kid, Object.freeze({ key: readPublicKey(resolve(configDir, file), `${at}.certificates.${kid}: '${file}'`) }))
  }
  const lookup = keyLookup(byKid, [])
  return {
    generation: 0,
    loaded: true,
    lookup,
    refreshIfDue: () => {},
    loadNow: () => undefined,
    refetchForUnknownKid: () => undefined,
    retryAfterSeconds: () => 0,
  }
}

function readPublicKey(path: string, where: string): KeyObject {
  const invalid = (problem: string): never => {
    throw new GatehouseError('GH_ERR_CONFIG_INVALID', `${where} ${problem}`)
  }
  let pem = ''
  try {
    pem = readFileSync(path, 'utf8')
  } catch (error) {
    invalid(`cannot be read (${(error as NodeJS.ErrnoException).code ?? 'error'})`)
  }
  // createPublicKey would happily derive the public half of a private key; a private key in a
  // gateway's config directory is a mistake worth stopping for.
  if (pem.includes('PRIVATE KEY-----')) invalid('holds a private key; give the certificate or the public key')
  if (!pem.includes('-----BEGIN ')) invalid('is not PEM (expected -----BEGIN CERTIFICATE----- or -----BEGIN PUBLIC KEY-----)')
  let key: KeyObject | undefined
  try {
    key = createPublicKey(pem)
  } catch {
    invalid('holds no readable certificate or public key')
  }
  if (keyFamily(key as KeyObject) === 'unsupported') invalid('holds a key type that cannot verify tokens (RSA under 2048 bits, or an unsupported curve)')
  return key as KeyObject
}
