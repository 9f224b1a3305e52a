import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { createProcessLogger } from './process-log.ts'

function capture(level: Parameters<typeof createProcessLogger>[0]) {
  const lines: Array<Record<string, unknown>> = []
  const log = createProcessLogger(level, { stream: { write: (line: string) => void lines.push(JSON.parse(line)) } })
  return { log, lines }
}

describe('createProcessLogger', () => {
  it('writes pino JSON lines at or above the configured level', () => {
    const { log, lines } = capture('warn')
    log.info({ version: 2 }, 'config reloaded')
    log.error({ code: 'GH_ERR_CONFIG_SYNTAX' }, 'config reload refused')
    assert.equal(lines.length, 1)
    assert.equal(lines[0].level, 50)
    assert.equal(lines[0].msg, 'config reload refused')
    assert.equal(lines[0].code, 'GH_ERR_CONFIG_SYNTAX')
    assert.equal(lines[0].pid, process.pid)
    assert.equal(typeof lines[0].time, 'number')
  })

  it('keeps credentials out of lifecycle lines', () => {
    const { log, lines } = capture('info')
    log.info({ admin: { token: 's3cret', host: '0.0.0.0' }, headers: { authorization: 'Bearer abc' }, password: 'pw' }, 'starting')
    const text = JSON.stringify(lines[0])
    assert.doesNotMatch(text, /s3cret|Bearer abc|"pw"/)
    assert.deepEqual(lines[0].admin, { token: '***', host: '0.0.0.0' })
  })

  it('says nothing at level silent', () => {
    const { log, lines } = capture('silent')
    log.fatal('boom')
    assert.equal(lines.length, 0)
  })
})
