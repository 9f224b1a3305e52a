// Checks a document against the official schema of its version (and, for Swagger 2.0, the extra
// rules swagger-parser knows), then turns each finding into an issue at the file and pointer where
// the offending value is written, following `$ref`s into other files.
import SwaggerParser from '@apidevtools/swagger-parser'
import { fileURLToPath } from 'node:url'
import type { SpecIssue } from '../model.ts'
import { child, report, type LoadContext, type Located } from './context.ts'
import { ajvIssues, type AjvError } from './validate-messages.ts'
import { escapeSegment, formatPointer, isObject, parsePointer } from './pointer.ts'
import { follow, isReference } from './refs.ts'
import { isRemoteId } from './sources.ts'

/** The newest patch swagger-parser knows of each minor version: 3.0.9 is validated as 3.0.4 would be. */
const VALIDATED_AS: Record<string, string> = { '3.0': '3.0.4', '3.1': '3.1.2' }

/** Validation issues (none when the document is valid). Every document must already be in `ctx.sources`. */
export async function validateDocument(ctx: LoadContext): Promise<SpecIssue[]> {
  const issues: SpecIssue[] = []
  const local = { ...ctx, issues }
  try {
    await new SwaggerParser().validate(ctx.entry, parserOptions(ctx))
  } catch (error) {
    const details = (error as { details?: unknown }).details
    if (Array.isArray(details)) {
      for (const finding of ajvIssues(details as AjvError[])) {
        const at = locateInstance(local, finding.instancePath, finding.member)
        report(local, at, finding.describe(at.value))
      }
    } else specRuleIssue(local, error)
  }
  return issues
}

// swagger-parser reads nothing itself: it is served the documents already read (and checked for
// remote references), so validation can neither touch the network nor see a different file.
function parserOptions(ctx: LoadContext): SwaggerParser.Options {
  const documentOf = (url: string) => {
    const id = isRemoteId(url) ? url : url.startsWith('file:') ? fileURLToPath(url) : decodeURIComponent(url)
    const source = ctx.sources.document(id)
    if (source === undefined) throw new Error(`${id} was not read`)
    return source
  }
  const options = {
    resolve: {
      external: true,
      file: false,
      http: false,
      loaded: { order: 1, canRead: true, read: (file: { url: string }) => documentOf(file.url).text },
    },
    parse: {
      json: false,
      yaml: false,
      text: false,
      binary: false,
      loaded: {
        order: 1,
        canParse: true,
        parse: (file: { url: string }) => {
          const source = documentOf(file.url)
          const value = structuredClone(source.value) as Record<string, unknown>
          if (source.id === ctx.entry && ctx.version !== '2.0') value.openapi = VALIDATED_AS[ctx.version]
          lowerCaseHttpSchemes(value)
          return value
        },
      },
    },
    // Recursive schemas stay `$ref`s instead of becoming cyclic objects the checks would walk forever.
    dereference: { circular: 'ignore' },
  }
  return options as unknown as SwaggerParser.Options
}

/**
 * HTTP authentication scheme names are case-insensitive (RFC 9110), but the official 3.0 schema
 * only accepts `bearer` in lower case next to `bearerFormat`; `Bearer` is common and correct.
 */
function lowerCaseHttpSchemes(document: Record<string, unknown>): void {
  const components = document.components
  const schemes = isObject(components) ? components.securitySchemes : undefined
  if (!isObject(schemes)) return
  for (const scheme of Object.values(schemes)) {
    if (isObject(scheme) && scheme.type === 'http' && typeof scheme.scheme === 'string') scheme.scheme = scheme.scheme.toLowerCase()
  }
}

/**
 * The place an instance path of the dereferenced document stands for: each step follows the
 * `$ref` it passes through, so a problem inside a referenced file is reported in that file.
 */
function locateInstance(ctx: LoadContext, instancePath: string, member: string | undefined): Located {
  const root: Located = { value: ctx.sources.document(ctx.entry)?.value, file: ctx.entry, pointer: '#' }
  let node = root
  const segments = parsePointer(instancePath)
  if (member !== undefined) segments.push(member)
  for (const [index, segment] of segments.entries()) {
    const resolved = isReference(node.value) ? follow(ctx, node) : node
    if (resolved === undefined) return node
    const next = child(resolved, Array.isArray(resolved.value) ? Number(segment) : segment)
    // A member that does not exist (a missing field) is reported at its parent.
    if (next.value === undefined && index < segments.length - 1) return resolved
    node = next
  }
  return isReference(node.value) && member === undefined ? (follow(ctx, node) ?? node) : node
}

/** Swagger 2.0 rule violations come as one message naming `/paths/<path>/<method>` or `/definitions/<name>`. */
function specRuleIssue(ctx: LoadContext, error: unknown): void {
  const raw = error instanceof Error ? error.message : String(error)
  // Duplicate operationIds are reported by the loader itself, naming both operations.
  if (/Duplicate operation id/i.test(raw)) return
  let message = raw.replace(/^Validation failed\.\s*/, '')
  let pointer = '#'
  const operation = /\/paths(\/\S*?)\/(get|put|post|delete|options|head|patch)(?=[\s/]|$)\S*/.exec(message)
  const definition = /'\/definitions\/([^']+)'/.exec(message)
  if (operation !== null) {
    pointer = `${formatPointer(['paths', operation[1]])}/${escapeSegment(operation[2])}`
    message = message.replace(operation[0], 'this operation')
  } else if (definition !== null) {
    pointer = formatPointer(['definitions', definition[1]])
    message = message.replace(definition[0], 'this definition')
  }
  report(ctx, { file: ctx.entry, pointer }, message)
}
