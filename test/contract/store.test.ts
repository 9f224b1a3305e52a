import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { after } from 'node:test'
import { openStore } from '../../src/store/index.ts'
import { storeContract } from './store-contract.ts'

const folder = mkdtempSync(join(tmpdir(), 'gatehouse-store-contract-'))
after(() => rmSync(folder, { recursive: true, force: true }))
let files = 0

storeContract('memory', () => openStore({ type: 'memory' }))
storeContract('sqlite file', () => openStore({ type: 'sqlite', path: join(folder, `store-${++files}.db`) }))
storeContract('sqlite :memory:', () => openStore({ type: 'sqlite', path: ':memory:' }))
