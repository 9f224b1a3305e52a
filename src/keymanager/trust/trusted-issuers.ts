// Keys of the issuers whose assertions the jwt-bearer grant accepts (RFC 7523 §2.1): fixed PEM
// files, or a JWK Set fetched with bounds (5 s, 1 MiB, no redirects), refreshed every 5 minutes
// when used, and fetched again on an unknown kid at most once a minute, so made-up kids cannot
// turn this server into a request amplifier. The key sources are shared with the jwt policy
// (src/jose), so the gateway and the key manager treat a remote JWKS the same way.
import type { TrustedIssuerConfig } from '../../config/types.ts'
import { certificateKeys } from '../../jose/certificate-keys.ts'
import { JwksKeySet, type JwksLog } from '../../jose/jwks-key-set.ts'
import type { KeySource } from '../../jose/key-lookup.ts'
import type { VerificationKey } from '../../jose/verification-key.ts'

const REFRESH_SECONDS = 300
const REFETCH_COOLDOWN_SECONDS = 60
const FETCH_TIMEOUT_MS = 5000

export interface TrustedIssuer {
  readonly config: TrustedIssuerConfig
  readonly keys: KeySource
}

export class TrustedIssuers {
  readonly #byIssuer = new Map<string, TrustedIssuer>()

  /**
   * Reads certificate files now (GH_ERR_CONFIG_INVALID when one is unusable) and starts JWKS
   * fetches; `log` hears of failing and recovering fetches and of skipped keys.
   */
  constructor(configs: readonly TrustedIssuerConfig[], log?: JwksLog) {
    configs.forEach((config, index) => {
      let keys: KeySource
      if (config.jwksUri !== undefined) {
        const set = new JwksKeySet({ uri: config.jwksUri, refreshSeconds: REFRESH_SECONDS, refetchCooldownSeconds: REFETCH_COOLDOWN_SECONDS, fetchTimeoutMs: FETCH_TIMEOUT_MS })
        set.log = log
        set.refreshIfDue(Date.now())
        keys = set
      } else {
        // Paths are absolute once the config is loaded, so no base directory is needed.
        keys = certificateKeys(config.certificates ?? {}, '.', `keyManager.trustedIssuers[${index}]`)
      }
      this.#byIssuer.set(config.issuer, { config, keys })
    })
  }

  get(issuer: string): TrustedIssuer | undefined {
    return this.#byIssuer.get(issuer)
  }
}

/**
 * Runs `attempt` with the issuer's current keys. When the keys are not loaded yet, or the token
 * names a kid they lack, it waits for one fetch (if the cooldown allows) and tries once more.
 */
export async function withIssuerKeys<T>(issuer: TrustedIssuer, attempt: (keys: (kid: string | undefined) => VerificationKey | undefined) => Promise<T>, isUnknownKid: (error: unknown) => boolean): Promise<T> {
  const source = issuer.keys
  const now = Date.now()
  if (!source.loaded) await source.loadNow(now)
  else source.refreshIfDue(now)
  try {
    return await attempt((kid) => source.lookup.get(kid))
  } catch (error) {
    if (!isUnknownKid(error)) throw error
    const refetch = source.refetchForUnknownKid(Date.now())
    if (refetch === undefined) throw error
    await refetch
    return attempt((kid) => source.lookup.get(kid))
  }
}
