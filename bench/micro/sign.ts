// Cost of the key manager's crypto on one core: access-token issuing (sign) and verifying per
// algorithm, beside a bare crypto.verify of the same token so the verifier's own overhead shows;
// then scrypt password hashing at the usual cost settings.
// Run: node bench/micro/sign.ts [seconds per measurement, default 1] [--no-scrypt]
import { forgetSelfSigned, rememberSelfSigned } from '../../src/jose/self-signed.ts'
import { verify } from 'node:crypto'
import { generateSigningKey, type SigningAlgorithm } from '../../src/keymanager/keys/generate-signing-key.ts'
import { loadSigningKey } from '../../src/keymanager/keys/loaded-key.ts'
import { hashPassword } from '../../src/keymanager/secrets/password-hash.ts'
import { AccessTokenIssuer } from '../../src/keymanager/tokens/access-token-issuer.ts'
import { JWS_ALGORITHMS, RSA_PSS_PADDING } from '../../src/jose/jws-algorithms.ts'
import { createJwtVerifier } from '../../src/jose/verify-jwt.ts'

const seconds = Number(process.argv.find((arg, i) => i >= 2 && /^\d+(\.\d+)?$/.test(arg)) ?? 1)
const withScrypt = !process.argv.includes('--no-scrypt')
const NOW = 1_760_000_000

/** Median over three timed rounds of `seconds` each: operations per second. */
function measure(operation: () => void): number {
  for (let i = 0; i < 200; i++) operation()
  const rates: number[] = []
  for (let round = 0; round < 3; round++) {
    let done = 0
    const started = performance.now()
    const deadline = started + seconds * 1000
    while (performance.now() < deadline) {
      for (let i = 0; i < 20; i++) operation()
      done += 20
    }
    rates.push(done / ((performance.now() - started) / 1000))
  }
  return rates.sort((a, b) => a - b)[1]
}

function row(name: string, opsPerSecond: number): void {
  console.log(`${name.padEnd(36)} ${Math.round(opsPerSecond).toString().padStart(8)} ops/s  ${(1e6 / opsPerSecond).toFixed(1).padStart(7)} µs/op`)
}

let sink = 0
for (const algorithm of ['RS256', 'PS256', 'ES256', 'EdDSA'] as SigningAlgorithm[]) {
  const key = loadSigningKey(generateSigningKey(algorithm, NOW))
  const issuer = new AccessTokenIssuer({ issuer: 'https://as.example', keys: { signingKey: () => key, maxTokenLifetimeSeconds: 3600 }, now: () => NOW })
  const request = { clientId: 'app', subject: 'user-1', scopes: ['read', 'write'], audience: 'orders', ttlSeconds: 300 }
  const token = issuer.issue(request).token
  const verifier = createJwtVerifier({
    keys: (kid) => (kid === key.kid ? key.verification : undefined),
    algorithms: [algorithm],
    issuer: 'https://as.example',
    audience: 'orders',
    typ: 'at+jwt',
    clockToleranceSeconds: 30,
    maxTokenBytes: 8192,
    requiredClaims: ['iss', 'sub', 'aud', 'exp', 'iat', 'jti'],
  })
  const spec = JWS_ALGORITHMS[algorithm]
  const input = Buffer.from(token.slice(0, token.lastIndexOf('.')), 'latin1')
  const signature = Buffer.from(token.slice(token.lastIndexOf('.') + 1), 'base64url')
  const verifyKey = spec.pssSaltLength !== null
    ? { key: key.publicKey, padding: RSA_PSS_PADDING, saltLength: spec.pssSaltLength }
    : spec.rawEcdsa ? { key: key.publicKey, dsaEncoding: 'ieee-p1363' as const } : key.publicKey

  row(`${algorithm} issue (sign + claims)`, measure(() => { sink += issuer.issue(request).token.length }))
  // The issuer remembers what it signed (src/jose/self-signed.ts); forgetting measures a token
  // from elsewhere, whose signature must be checked.
  forgetSelfSigned()
  row(`${algorithm} verifyJwt (all checks)`, measure(() => { sink += verifier(token, NOW).payload.exp as number }))
  rememberSelfSigned(token)
  row(`${algorithm} verifyJwt, signed by this process`, measure(() => { sink += verifier(token, NOW).payload.exp as number }))
  forgetSelfSigned()
  row(`${algorithm} crypto.verify only`, measure(() => { sink += verify(spec.hash, input, verifyKey, signature) ? 1 : 0 }))
}

if (withScrypt) {
  for (const params of [{ N: 2 ** 14, r: 8, p: 1 }, { N: 2 ** 15, r: 8, p: 1 }, { N: 2 ** 17, r: 8, p: 1 }]) {
    const times: number[] = []
    for (let i = 0; i < 7; i++) {
      const started = performance.now()
      sink += (await hashPassword('correct horse battery staple', params)).length
      times.push(performance.now() - started)
    }
    times.sort((a, b) => a - b)
    console.log(`scrypt N=2^${Math.log2(params.N)} r=8 p=1`.padEnd(36), `median ${times[3].toFixed(1)} ms per hash (min ${times[0].toFixed(1)}, max ${times[6].toFixed(1)})`)
  }
}
if (sink < 0) console.log(sink)
