import { readFile, writeFile } from 'node:fs/promises'
import { dirname, resolve } from 'node:path'
import { parse } from 'yaml'
import { toRoutePath } from '../config/apis/route-path.ts'
import { planSecurity } from '../config/apis/security.ts'
import { loadApiSpec, SpecError } from '../openapi/load/index.ts'
import { configSection } from '../openapi/import/config-section.ts'
import type { ApiSpec, OperationModel } from '../openapi/model.ts'
import type { CommandSpec } from './args.ts'

export const importCommand: CommandSpec = {
  name: 'import',
  summary: 'Write the config section (upstream, API, security) for an OpenAPI or Swagger document, for review',
  usage: 'gatehouse import openapi <spec> [--name NAME] [--upstream URL] [--config FILE] [--out FILE]',
  options: {
    name: { type: 'string' },
    upstream: { type: 'string' },
    config: { type: 'string' },
    out: { type: 'string' },
  },
  async run(values, positionals) {
    const [kind, specFile] = positionals
    if (kind !== 'openapi' || specFile === undefined) {
      console.error(`gatehouse import: expected "openapi <spec>"\n\nUsage: ${importCommand.usage}`)
      return 2
    }
    const configFile = resolve(typeof values.config === 'string' ? values.config : 'gatehouse.yaml')
    try {
      const spec = await loadApiSpec(resolve(specFile))
      const keyManager = await configHasKeyManager(configFile)
      const section = configSection(spec, await documentServer(spec.file), {
        name: values.name as string | undefined,
        upstream: values.upstream as string | undefined,
        configDir: dirname(configFile),
        keyManager,
        problems: operationProblems(spec),
      })
      if (typeof values.out === 'string') await writeFile(values.out, section)
      else process.stdout.write(section)
      return 0
    } catch (error) {
      if (error instanceof SpecError) {
        console.error(error.message)
        return 1
      }
      throw error
    }
  },
}

/**
 * The document's own server: Swagger `schemes` + `host` (http when it is offered: upstream targets
 * are http only), or OpenAPI's first absolute `servers` URL with its variables at their defaults.
 */
async function documentServer(file: string): Promise<string | undefined> {
  const raw = parse(await readFile(file, 'utf8')) as { host?: unknown; schemes?: unknown; servers?: Array<{ url?: unknown; variables?: Record<string, { default?: unknown } | undefined> }> }
  if (typeof raw.host === 'string') {
    const schemes = Array.isArray(raw.schemes) ? raw.schemes : []
    const scheme = schemes.length === 0 || schemes.includes('http') ? 'http' : 'https'
    return `${scheme}://${raw.host}`
  }
  const server = raw.servers?.[0]
  if (typeof server?.url !== 'string') return undefined
  const url = server.url.replace(/\{([^}]*)\}/g, (_match, name: string) => String(server.variables?.[name]?.default ?? ''))
  return /^https?:\/\//.test(url) ? url : undefined
}

/**
 * What would stop each operation from loading whatever the section's settings: paths the router
 * cannot hold, security Gatehouse cannot enforce. The same rules as at load (src/config/apis/).
 */
function operationProblems(spec: ApiSpec): Map<OperationModel, string[]> {
  const problems = new Map<OperationModel, string[]>()
  for (const operation of spec.operations) {
    const found: string[] = []
    const routePath = toRoutePath(spec.basePath, operation.pathTemplate)
    if ('problem' in routePath) found.push(routePath.problem)
    const plan = planSecurity(operation, { api: { security: {}, scopeMatch: 'all' }, apiIndex: 0, schemes: spec.securitySchemes, hasKeyManager: true })
    for (const problem of plan.problems) if (problem.path === 'spec') found.push(problem.message)
    if (found.length > 0) problems.set(operation, found)
  }
  return problems
}

async function configHasKeyManager(file: string): Promise<boolean> {
  try {
    const config = parse(await readFile(file, 'utf8')) as { keyManager?: unknown } | null
    return config !== null && typeof config === 'object' && config.keyManager != null
  } catch {
    return false
  }
}
