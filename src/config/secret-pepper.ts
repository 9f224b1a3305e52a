// The server pepper: the key of the HMAC-SHA-256 digests that client secrets, refresh tokens and
// API keys are stored and compared as. There is one per deployment, so a key digested by the CLI,
// by the config loader and by every gateway process compares equal. Where it comes from:
//   1. `keyManager.secretPepper`, when set (normally `${env:NAME}`);
//   2. with the key manager on a SQLite store, the file `<store path>.pepper` beside it, created
//      (mode 0600, 256 random bits as base64url text) the first time any of them needs it;
//   3. otherwise a random pepper made for this process alone. Nothing digested with it is
//      persisted (no store is configured, or the store is in memory), so it need not outlive it.
import { randomBytes } from 'node:crypto'
import { closeSync, linkSync, mkdirSync, openSync, readFileSync, unlinkSync, writeSync } from 'node:fs'
import { dirname } from 'node:path'
import { GatehouseError } from '../core/errors/gatehouse-error.ts'
import { displayFile } from './issues.ts'
import type { KeyManagerConfig } from './types.ts'

const MIN_PEPPER_LENGTH = 32

let processPepper: string | undefined

/** Where the pepper comes from, without reading anything (for messages and docs). */
export function pepperFile(keyManager: Pick<KeyManagerConfig, 'secretPepper' | 'store'> | null): string | undefined {
  if (keyManager === null || keyManager.secretPepper !== null || keyManager.store.type !== 'sqlite') return undefined
  return `${keyManager.store.path}.pepper`
}

/**
 * The pepper as text (at least 32 characters). Throws GH_ERR_CONFIG_INVALID when the pepper file
 * cannot be read or created, naming the file but never its content.
 */
export function resolveSecretPepper(keyManager: Pick<KeyManagerConfig, 'secretPepper' | 'store'> | null): string {
  if (keyManager !== null && keyManager.secretPepper !== null) return keyManager.secretPepper
  const file = pepperFile(keyManager)
  if (file === undefined) return (processPepper ??= randomBytes(32).toString('base64url'))
  return readPepperFile(file) ?? createPepperFile(file)
}

function readPepperFile(file: string): string | undefined {
  let text: string
  try {
    text = readFileSync(file, 'utf8')
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined
    throw new GatehouseError('GH_ERR_CONFIG_INVALID', `the secret pepper file ${displayFile(file)} cannot be read (${(error as NodeJS.ErrnoException).code ?? 'error'})`, { cause: error })
  }
  const pepper = text.trim()
  if (pepper.length < MIN_PEPPER_LENGTH) {
    throw new GatehouseError('GH_ERR_CONFIG_INVALID', `the secret pepper file ${displayFile(file)} holds fewer than ${MIN_PEPPER_LENGTH} characters; restore it from a backup (every stored secret depends on it)`)
  }
  return pepper
}

/**
 * Writes a new pepper to a private temporary file and links it into place: link() fails if the
 * name exists, so when two processes start at once exactly one pepper wins and both read it.
 */
function createPepperFile(file: string): string {
  const pepper = randomBytes(32).toString('base64url')
  const temporary = `${file}.${process.pid}.${randomBytes(6).toString('hex')}.tmp`
  try {
    mkdirSync(dirname(file), { recursive: true, mode: 0o700 })
    const fd = openSync(temporary, 'wx', 0o600)
    try {
      writeSync(fd, `${pepper}\n`)
    } finally {
      closeSync(fd)
    }
    linkSync(temporary, file)
    return pepper
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'EEXIST') {
      const winner = readPepperFile(file)
      if (winner !== undefined) return winner
    }
    throw new GatehouseError('GH_ERR_CONFIG_INVALID', `the secret pepper file ${displayFile(file)} cannot be created (${(error as NodeJS.ErrnoException).code ?? 'error'})`, { cause: error })
  } finally {
    try {
      unlinkSync(temporary)
    } catch {
      // never created, or already gone
    }
  }
}
