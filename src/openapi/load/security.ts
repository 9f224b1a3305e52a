// Security schemes (Swagger 2.0 `securityDefinitions`, OpenAPI 3 `components.securitySchemes`) in
// one form, and the security requirements that refer to them.
import type { SecurityRequirement, SecuritySchemeModel } from '../model.ts'
import { child, report, type LoadContext, type Located } from './context.ts'
import { isObject } from './pointer.ts'
import { follow } from './refs.ts'

export function securitySchemeModels(ctx: LoadContext, root: Located): Record<string, SecuritySchemeModel> {
  const declared = ctx.version === '2.0' ? child(root, 'securityDefinitions') : child(root, 'components', 'securitySchemes')
  const schemes: Record<string, SecuritySchemeModel> = {}
  if (!isObject(declared.value)) return schemes
  for (const name of Object.keys(declared.value)) {
    const node = follow(ctx, child(declared, name))
    if (node === undefined || !isObject(node.value)) continue
    const model = ctx.version === '2.0' ? legacyScheme(node.value) : scheme(node.value)
    if (model !== undefined) schemes[name] = { ...model, pointer: child(declared, name).pointer }
  }
  return schemes
}

type SchemeFields = Omit<SecuritySchemeModel, 'pointer'>

function legacyScheme(value: Record<string, unknown>): SchemeFields | undefined {
  switch (value.type) {
    case 'basic':
      return { type: 'http', scheme: 'basic' }
    case 'apiKey':
      return { type: 'apiKey', name: String(value.name), in: value.in as 'header' | 'query' }
    case 'oauth2':
      return { type: 'oauth2', scopes: scopesOf(value.scopes) }
    default:
      return undefined
  }
}

function scheme(value: Record<string, unknown>): SchemeFields | undefined {
  switch (value.type) {
    case 'apiKey':
      return { type: 'apiKey', name: String(value.name), in: value.in as 'header' | 'query' | 'cookie' }
    case 'http': {
      const fields: SchemeFields = { type: 'http', scheme: String(value.scheme).toLowerCase() }
      if (typeof value.bearerFormat === 'string') fields.bearerFormat = value.bearerFormat
      return fields
    }
    case 'oauth2': {
      // A token from any flow carries scopes of the same API, so the scheme knows all of them.
      const flows = isObject(value.flows) ? Object.values(value.flows) : []
      return { type: 'oauth2', scopes: Object.assign({}, ...flows.map((flow) => scopesOf(isObject(flow) ? flow.scopes : undefined))) as Record<string, string> }
    }
    case 'openIdConnect':
      return { type: 'openIdConnect', openIdConnectUrl: String(value.openIdConnectUrl) }
    case 'mutualTLS':
      return { type: 'mutualTLS' }
    default:
      return undefined
  }
}

function scopesOf(value: unknown): Record<string, string> {
  if (!isObject(value)) return {}
  return Object.fromEntries(Object.entries(value).map(([scope, description]) => [scope, typeof description === 'string' ? description : '']))
}

/**
 * A `security` list as requirements; every scheme it names must be declared. Undefined when
 * `node` holds no list (the caller then falls back to the document's).
 */
export function securityRequirements(ctx: LoadContext, node: Located, schemes: Record<string, SecuritySchemeModel>): SecurityRequirement[] | undefined {
  if (!Array.isArray(node.value)) return undefined
  const requirements: SecurityRequirement[] = []
  node.value.forEach((alternative, index) => {
    if (!isObject(alternative)) return
    const requirement: SecurityRequirement = {}
    for (const [name, scopes] of Object.entries(alternative)) {
      if (!Object.hasOwn(schemes, name)) {
        const where = ctx.version === '2.0' ? 'securityDefinitions' : 'components.securitySchemes'
        report(ctx, child(node, index, name), `security scheme "${name}" is not declared in ${where}`)
      }
      requirement[name] = Array.isArray(scopes) ? scopes.map(String) : []
    }
    requirements.push(requirement)
  })
  return requirements
}
