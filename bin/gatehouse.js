#!/usr/bin/env node
// The `gatehouse` command. The sources are TypeScript, run by Node's type stripping (Node ≥ 22.18).
// The version is checked before the first .ts import, which an older Node would refuse with an
// unhelpful ERR_UNKNOWN_FILE_EXTENSION.
import { unsupportedNode } from './node-version.js'

const unsupported = unsupportedNode(process.version)
if (unsupported !== undefined) {
  console.error(unsupported)
  process.exit(1)
}
const { main } = await import('../src/cli/main.ts')
process.exitCode = await main(process.argv.slice(2))
