// Writes docs/configuration.md from the config schema: `npx node src/config/generate-docs.ts`.
import { writeFileSync } from 'node:fs'
import { renderConfigurationDoc } from './docs.ts'

const CONFIGURATION_DOC = new URL('../../docs/configuration.md', import.meta.url)

writeFileSync(CONFIGURATION_DOC, renderConfigurationDoc())
