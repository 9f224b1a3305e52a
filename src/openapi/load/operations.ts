// One OperationModel per path × method, in document order, with path-level parameters merged in
// and the security that applies resolved.
import type { OperationModel, ParameterModel, RequestBodyModel, SecurityRequirement, SecuritySchemeModel } from '../model.ts'
import { child, report, type LoadContext, type Located } from './context.ts'
import { bodyParameterModel, formParametersModel, requestBodyModel, responseModels } from './bodies.ts'
import { parameterModel, type ListedParameter } from './parameters.ts'
import { appendPointer, isObject } from './pointer.ts'
import { follow } from './refs.ts'
import { securityRequirements } from './security.ts'
import { orderedKeys } from './sources.ts'

export const METHODS = new Set(['get', 'put', 'post', 'delete', 'options', 'head', 'patch', 'trace'])

/** One operation as written: `pointer` is its place under `paths`, `node` its (possibly referenced) definition. */
export interface OperationSite {
  pathTemplate: string
  method: string
  pointer: string
  node: Located
  pathItem: Located
  pathItemPointer: string
}

/** Every operation of the document, in document order. */
export function operationSites(ctx: LoadContext, root: Located): OperationSite[] {
  const paths = child(root, 'paths')
  if (!isObject(paths.value)) return []
  const sites: OperationSite[] = []
  for (const pathTemplate of orderedKeys(ctx.sources.document(paths.file), paths.pointer, paths.value)) {
    if (pathTemplate.startsWith('x-')) continue
    const pathItemPointer = appendPointer(paths.pointer, pathTemplate)
    const pathItem = follow(ctx, child(paths, pathTemplate))
    if (pathItem === undefined || !isObject(pathItem.value)) continue
    for (const method of orderedKeys(ctx.sources.document(pathItem.file), pathItem.pointer, pathItem.value)) {
      if (!METHODS.has(method) || (method === 'trace' && ctx.version === '2.0')) continue
      const node = child(pathItem, method)
      if (isObject(node.value)) sites.push({ pathTemplate, method, pointer: appendPointer(pathItemPointer, method), node, pathItem, pathItemPointer })
    }
  }
  return sites
}

/** Each operationId must be unique (CFG-04); both operations are named. */
export function checkOperationIds(ctx: LoadContext, sites: readonly OperationSite[]): void {
  const first = new Map<string, OperationSite>()
  for (const site of sites) {
    const id = (site.node.value as Record<string, unknown>).operationId
    if (typeof id !== 'string') continue
    const earlier = first.get(id)
    if (earlier === undefined) first.set(id, site)
    else report(ctx, child(site.node, 'operationId'), `operationId "${id}" is used by both ${earlier.pointer} (${earlier.method.toUpperCase()} ${earlier.pathTemplate}) and ${site.pointer} (${site.method.toUpperCase()} ${site.pathTemplate}); each operation needs its own`, 'GH_ERR_CONFIG_SPEC_DUPLICATE_OPERATION_ID')
  }
}

export interface DocumentDefaults {
  root: Located
  security: SecurityRequirement[]
  schemes: Record<string, SecuritySchemeModel>
}

export function operationModel(ctx: LoadContext, site: OperationSite, defaults: DocumentDefaults): OperationModel {
  const value = site.node.value as Record<string, unknown>
  const listed = mergedParameters(ctx, site)
  const parameters: ParameterModel[] = []
  const body: ListedParameter[] = []
  const form: ListedParameter[] = []
  for (const parameter of listed) {
    const location = (parameter.node.value as Record<string, unknown>).in
    if (location === 'body') body.push(parameter)
    else if (location === 'formData') form.push(parameter)
    else {
      const model = parameterModel(ctx, parameter)
      if (model !== undefined) parameters.push(model)
    }
  }
  checkPathParameters(ctx, site, parameters)
  let requestBody: RequestBodyModel | undefined
  if (ctx.version === '2.0') {
    const consumes = mediaTypes(value.consumes, (defaults.root.value as Record<string, unknown>).consumes)
    if (body.length > 0) requestBody = bodyParameterModel(ctx, body[0], consumes)
    else if (form.length > 0) requestBody = formParametersModel(ctx, form, consumes)
  } else if (value.requestBody !== undefined) {
    const node = follow(ctx, child(site.node, 'requestBody'))
    if (node !== undefined) requestBody = requestBodyModel(ctx, node, appendPointer(site.pointer, 'requestBody'))
  }
  const produces = mediaTypes(value.produces, (defaults.root.value as Record<string, unknown>).produces)
  const own = securityRequirements(ctx, child(site.node, 'security'), defaults.schemes)
  const model: OperationModel = {
    method: site.method.toUpperCase(),
    pathTemplate: site.pathTemplate,
    ...(typeof value.operationId === 'string' ? { operationId: value.operationId } : {}),
    ...(typeof value.summary === 'string' ? { summary: value.summary } : {}),
    deprecated: value.deprecated === true,
    parameters,
    ...(requestBody === undefined ? {} : { requestBody }),
    responses: responseModels(ctx, child(site.node, 'responses'), produces),
    // `security: []` on an operation switches the document's security off for it.
    security: own ?? structuredClone(defaults.security),
    pointer: site.pointer,
  }
  return model
}

/** Path-level parameters, then the operation's; one of the operation with the same name and location wins. */
function mergedParameters(ctx: LoadContext, site: OperationSite): ListedParameter[] {
  const merged = new Map<string, ListedParameter>()
  const add = (list: Located, listPointer: string): void => {
    if (!Array.isArray(list.value)) return
    list.value.forEach((_, index) => {
      const node = follow(ctx, child(list, index))
      if (node === undefined || !isObject(node.value)) return
      const { name, in: location } = node.value
      // Header names are case-insensitive.
      const key = `${String(location)}:${location === 'header' ? String(name).toLowerCase() : String(name)}`
      merged.set(key, { pointer: appendPointer(listPointer, 'parameters', index), node })
    })
  }
  add(child(site.pathItem, 'parameters'), site.pathItemPointer)
  add(child(site.node, 'parameters'), site.pointer)
  return [...merged.values()]
}

/** Every `{name}` of the path template needs a path parameter, and every path parameter a `{name}`. */
function checkPathParameters(ctx: LoadContext, site: OperationSite, parameters: readonly ParameterModel[]): void {
  const inTemplate = [...site.pathTemplate.matchAll(/\{([^}]+)\}/g)].map((match) => match[1])
  const declared = parameters.filter((parameter) => parameter.in === 'path').map((parameter) => parameter.name)
  for (const name of inTemplate) {
    if (!declared.includes(name)) report(ctx, site.node, `the path ${site.pathTemplate} has {${name}} but the operation declares no path parameter "${name}"`)
  }
  for (const name of declared) {
    if (!inTemplate.includes(name)) report(ctx, site.node, `path parameter "${name}" does not appear in the path ${site.pathTemplate}`)
  }
}

function mediaTypes(own: unknown, inherited: unknown): string[] {
  const list = Array.isArray(own) ? own : Array.isArray(inherited) ? inherited : ['application/json']
  return list.length > 0 ? list.map(String) : ['application/json']
}
