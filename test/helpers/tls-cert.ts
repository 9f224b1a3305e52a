import { execFile, spawnSync } from 'node:child_process'
import fs from 'node:fs/promises'
import path from 'node:path'
import { promisify } from 'node:util'

const run = promisify(execFile)

/** Why TLS tests cannot run here, or undefined when `openssl` is on the PATH. */
export function opensslMissing(): string | undefined {
  const found = spawnSync('which', ['openssl'], { encoding: 'utf8' })
  return found.status === 0 && found.stdout.trim() !== '' ? undefined : 'openssl is not installed, so no test certificate can be generated'
}

export interface TestCertificate {
  certFile: string
  keyFile: string
  /** The certificate in PEM form, to trust as a CA on the client side. */
  cert: string
}

/**
 * Writes a fresh self-signed certificate for `localhost` and 127.0.0.1 (P-256, one day) into `dir`.
 * Generated at test time so no private key is ever committed.
 */
export async function makeSelfSignedCert(dir: string): Promise<TestCertificate> {
  const certFile = path.join(dir, 'cert.pem')
  const keyFile = path.join(dir, 'key.pem')
  await run('openssl', [
    'req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes',
    '-keyout', keyFile, '-out', certFile, '-days', '1', '-subj', '/CN=localhost',
    '-addext', 'subjectAltName=DNS:localhost,IP:127.0.0.1',
  ], { timeout: 10_000 })
  return { certFile, keyFile, cert: await fs.readFile(certFile, 'utf8') }
}
