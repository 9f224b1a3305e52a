// Checks on what the process binds and reads: listener names and ports, TLS files, and the admin
// listener's exposure (ADM-01).
import { accessSync, readFileSync, constants, statSync } from 'node:fs'
import { createSecureContext } from 'node:tls'
import { isLoopbackHost, isWildcardHost } from './check-values.ts'
import { displayFile, type DraftIssue, type PathSegment } from './issues.ts'
import type { GatehouseConfig, ListenerConfig } from './types.ts'

interface Binding {
  label: string
  host: string
  port: number
  path: PathSegment[]
}

/** `listenerIndex[k]` is the position in the file of `config.listeners[k]`; `adminClean` says the admin section passed the schema. */
export function checkNetwork(config: GatehouseConfig, listenerIndex: readonly number[], adminClean: boolean): DraftIssue[] {
  const issues: DraftIssue[] = []
  const names = new Map<string, number>()
  // The admin binding comes first so that a clash is reported at the listener, which the file
  // always spells out, rather than at admin settings that may be defaults.
  const bindings: Binding[] = adminClean ? [{ label: 'the admin API', host: config.admin.host, port: config.admin.port, path: ['admin', 'port'] }] : []
  config.listeners.forEach((listener, k) => {
    const base = ['listeners', listenerIndex[k]]
    const first = names.get(listener.name)
    if (first === undefined) names.set(listener.name, listenerIndex[k])
    else issues.push({ code: 'GH_ERR_CONFIG_INVALID', path: [...base, 'name'], message: `listener name "${listener.name}" is already used by listeners[${first}]` })
    bindings.push({ label: `listener "${listener.name}"`, host: listener.host, port: listener.port, path: [...base, 'port'] })
    checkTls(listener, base, issues)
  })
  if (adminClean && !isLoopbackHost(config.admin.host) && config.admin.token === undefined) {
    const message = 'the admin API would listen on a non-loopback address without a token; set admin.token or bind admin.host to 127.0.0.1'
    issues.push({ code: 'GH_ERR_CONFIG_ADMIN_UNPROTECTED', path: ['admin', 'host'], message })
  }
  checkPorts(bindings, issues)
  return issues
}

function checkTls(listener: ListenerConfig, base: PathSegment[], issues: DraftIssue[]): void {
  if (listener.protocol === 'http') {
    if (listener.tls !== undefined) issues.push({ code: 'GH_ERR_CONFIG_INVALID', path: [...base, 'tls'], at: 'key', message: 'tls is only used by https listeners; set protocol: https' })
    return
  }
  if (listener.tls === undefined) {
    issues.push({ code: 'GH_ERR_CONFIG_TLS', path: [...base, 'protocol'], message: 'an https listener needs tls.cert and tls.key' })
    return
  }
  let readable = true
  for (const part of ['cert', 'key'] as const) {
    const problem = unreadable(listener.tls[part])
    if (problem !== undefined) {
      readable = false
      const what = part === 'cert' ? 'certificate' : 'private key'
      issues.push({ code: 'GH_ERR_CONFIG_TLS', path: [...base, 'tls', part], message: `${what} file "${displayFile(listener.tls[part])}" ${problem}` })
    }
  }
  if (readable) checkTlsPair(listener.tls.cert, listener.tls.key, base, issues)
}

// Parsing the pair here turns "not PEM" and "key does not match" into config errors at load,
// instead of a raw OpenSSL error when the listener opens. The message names the file, never its content.
function checkTlsPair(cert: string, key: string, base: PathSegment[], issues: DraftIssue[]): void {
  try {
    createSecureContext({ cert: readFileSync(cert), key: readFileSync(key) })
  } catch (error) {
    const reason = (error as NodeJS.ErrnoException).code ?? ''
    const keyProblem = /KEY|key values mismatch/i.test(`${reason} ${(error as Error).message}`)
    const part = keyProblem ? 'key' : 'cert'
    const message = /mismatch/i.test((error as Error).message)
      ? `private key "${displayFile(key)}" does not match the certificate "${displayFile(cert)}"`
      : `${part === 'cert' ? 'certificate' : 'private key'} file "${displayFile(part === 'cert' ? cert : key)}" is not valid PEM (${reason || 'unreadable'})`
    issues.push({ code: 'GH_ERR_CONFIG_TLS', path: [...base, 'tls', part], message })
  }
}

/** Why `file` cannot be read as a regular file, or undefined when it can. */
export function unreadable(file: string): string | undefined {
  try {
    if (!statSync(file).isFile()) return 'is not a file'
    accessSync(file, constants.R_OK)
    return undefined
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code
    return code === 'ENOENT' ? 'does not exist' : `cannot be read (${code ?? 'error'})`
  }
}

// Two bindings clash on the same port when their hosts are equal or either is a wildcard address.
// Port 0 asks the system for a free port, so it never clashes.
function checkPorts(bindings: readonly Binding[], issues: DraftIssue[]): void {
  bindings.forEach((binding, i) => {
    if (binding.port === 0) return
    const earlier = bindings.slice(0, i).find((other) => other.port === binding.port && (other.host === binding.host || isWildcardHost(other.host) || isWildcardHost(binding.host)))
    if (earlier !== undefined) {
      issues.push({ code: 'GH_ERR_CONFIG_INVALID', path: binding.path, message: `${binding.label} uses port ${binding.port} on ${binding.host}, already taken by ${earlier.label} on ${earlier.host}` })
    }
  })
}
