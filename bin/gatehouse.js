#!/usr/bin/env node
// The `gatehouse` command. The sources are TypeScript, run by Node's type stripping (Node ≥ 22.18).
import { main } from '../src/cli/main.ts'

process.exitCode = await main(process.argv.slice(2))
