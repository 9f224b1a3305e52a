// `${env:NAME}` substitution in string values of the parsed YAML document. It runs on the document
// (not on plain data) so that positions survive and so that the loader knows which values came from
// the environment: those may be secrets, and no message may echo them.
import { isMap, isScalar, isSeq, Scalar, type Document } from 'yaml'
import { pathToPointer, pathToString, type DraftIssue, type PathSegment } from './issues.ts'

const REFERENCE = /\$(\$?)\{env:([^}]*)\}/g
const VARIABLE_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/
const WHOLE_REFERENCE = /^\$\{env:[A-Za-z_][A-Za-z0-9_]*\}$/

export interface EnvSubstitution {
  issues: DraftIssue[]
  /** JSON pointer → variables substituted into that value. */
  fromEnv: Map<string, string[]>
  /** Pointers of values whose reference could not be resolved (their schema errors would mislead). */
  unresolved: Set<string>
  /** Every substituted value, so messages can be scrubbed of them. */
  substituted: Set<string>
}

export function substituteEnv(doc: Document, env: Record<string, string | undefined>): EnvSubstitution {
  const result: EnvSubstitution = { issues: [], fromEnv: new Map(), unresolved: new Set(), substituted: new Set() }
  walk(doc.contents, [], env, result)
  return result
}

function walk(node: unknown, path: PathSegment[], env: Record<string, string | undefined>, result: EnvSubstitution): void {
  if (isMap(node)) {
    for (const pair of node.items) {
      if (isScalar(pair.key)) walk(pair.value, [...path, String(pair.key.value)], env, result)
    }
  } else if (isSeq(node)) {
    node.items.forEach((item, index) => walk(item, [...path, index], env, result))
  } else if (isScalar(node) && typeof node.value === 'string' && node.value.includes('{env:')) {
    substituteScalar(node, path, env, result)
  }
}

function substituteScalar(node: Scalar, path: PathSegment[], env: Record<string, string | undefined>, result: EnvSubstitution): void {
  const text = node.value as string
  const names: string[] = []
  let resolved = true
  const replaced = text.replace(REFERENCE, (whole: string, escape: string, name: string) => {
    if (escape !== '') return whole.slice(1)
    if (!VARIABLE_NAME.test(name)) {
      result.issues.push({ code: 'GH_ERR_CONFIG_INVALID', path, message: `"${whole}" is not a valid environment reference (expected \${env:NAME} with NAME made of letters, digits and _)` })
      resolved = false
      return whole
    }
    const value = env[name]
    if (value === undefined || value === '') {
      const state = value === undefined ? 'is not set' : 'is set but empty'
      result.issues.push({ code: 'GH_ERR_CONFIG_ENV_MISSING', path, message: `environment variable ${name} ${state} (referenced by ${pathToString(path) || 'the file'})` })
      resolved = false
      return whole
    }
    names.push(name)
    result.substituted.add(value)
    return value
  })
  const pointer = pathToPointer(path)
  if (!resolved) {
    result.unresolved.add(pointer)
    return
  }
  if (names.length === 0) {
    node.value = replaced
    return
  }
  result.fromEnv.set(pointer, names)
  // An unquoted value that is one whole reference takes the type the text would have in YAML, so
  // `port: ${env:PORT}` gives a number. Quoting the reference keeps the value a string.
  node.value = node.type === Scalar.PLAIN && WHOLE_REFERENCE.test(text) ? typedScalar(replaced) : replaced
}

function typedScalar(text: string): string | number | boolean {
  if (text === 'true') return true
  if (text === 'false') return false
  if (/^-?(0|[1-9][0-9]*)(\.[0-9]+)?$/.test(text)) return Number(text)
  return text
}
