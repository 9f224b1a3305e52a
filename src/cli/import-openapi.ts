import { readFile, writeFile } from 'node:fs/promises'
import { dirname, resolve } from 'node:path'
import { parse } from 'yaml'
import { loadApiSpec, SpecError } from '../openapi/load/index.ts'
import { configSection } from '../openapi/import/config-section.ts'
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

/** The document's own server: Swagger `schemes` + `host` + nothing else, or OpenAPI's first absolute `servers` URL. */
async function documentServer(file: string): Promise<string | undefined> {
  const raw = parse(await readFile(file, 'utf8')) as { host?: unknown; schemes?: unknown; servers?: Array<{ url?: unknown }> }
  if (typeof raw.host === 'string') {
    const scheme = Array.isArray(raw.schemes) && raw.schemes.includes('https') ? 'https' : 'http'
    return `${scheme}://${raw.host}`
  }
  const url = raw.servers?.[0]?.url
  return typeof url === 'string' && /^https?:\/\//.test(url) ? url : undefined
}

async function configHasKeyManager(file: string): Promise<boolean> {
  try {
    const config = parse(await readFile(file, 'utf8')) as { keyManager?: unknown } | null
    return config !== null && typeof config === 'object' && config.keyManager != null
  } catch {
    return false
  }
}
