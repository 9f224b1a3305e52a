// `apis` entries: the document path resolved against the config directory, host names lower-cased,
// names unique. The documents themselves are read later, asynchronously (src/config/apis/).
import { resolve } from 'node:path'
import type { NormaliseContext } from './normalise.ts'
import type { RawApi } from './raw-types.ts'
import type { ApiConfig } from './types.ts'

export function normaliseApis(entries: Array<[RawApi, number]>, ctx: NormaliseContext): ApiConfig[] {
  const seen = new Map<string, number>()
  return entries.map(([api, index]) => {
    const first = seen.get(api.name)
    if (first === undefined) seen.set(api.name, index)
    else ctx.issues.push({ code: 'GH_ERR_CONFIG_INVALID', path: ['apis', index, 'name'], message: `API name "${api.name}" is already used by apis[${first}]` })
    const unmocked = Object.entries(api.operations).find(([, operation]) => operation.mock === false)?.[0]
    if (api.upstream === undefined && (!api.mock || unmocked !== undefined)) {
      const message = api.mock ? `is required: operation "${unmocked}" is not mocked` : Object.values(api.operations).some((operation) => operation.mock === true) ? 'is required unless every operation is mocked (set `mock: true` on the API)' : 'is required (or `mock: true` to answer from the document)'
      ctx.issues.push({ code: 'GH_ERR_CONFIG_INVALID', path: ['apis', index, 'upstream'], message })
    }
    return {
      ...api,
      spec: resolve(ctx.configDir, api.spec),
      hosts: api.hosts.map((host) => host.toLowerCase()),
      validation: { ...api.validation },
      operations: { ...api.operations },
    }
  })
}
