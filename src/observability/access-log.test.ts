import assert from 'node:assert/strict'
import { spawn } from 'node:child_process'
import { mkdtemp, readFile, rename, rm, stat } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { after, before, describe, it } from 'node:test'
import { setTimeout as delay } from 'node:timers/promises'
import { fileURLToPath } from 'node:url'
import { GatehouseError } from '../core/errors/gatehouse-error.ts'
import { createAccessLog, type AccessLogEntry } from './access-log.ts'
import { createProcessLogger } from './process-log.ts'

function entry(overrides: Partial<AccessLogEntry> = {}): AccessLogEntry {
  return {
    time: 1_760_000_000_123,
    correlationId: 'c0ffee00-0000-4000-8000-000000000001',
    method: 'GET',
    path: '/v1/data?page=2',
    status: 200,
    durationMs: 1.2345,
    upstreamMs: 0.9876,
    bytesSent: 512,
    clientIp: '192.0.2.10',
    route: 'data-api',
    target: '127.0.0.1:8081',
    errorCode: undefined,
    aborted: false,
    ...overrides,
  }
}

/** A real process logger writing into an array, to see what the access log reports. */
function capturedLog(): { log: ReturnType<typeof createProcessLogger>; lines: Array<Record<string, unknown>> } {
  const lines: Array<Record<string, unknown>> = []
  const log = createProcessLogger('info', { stream: { write: (line: string) => void lines.push(JSON.parse(line)) } })
  return { log, lines }
}

async function sizeOf(file: string): Promise<number> {
  try {
    return (await stat(file)).size
  } catch {
    return 0 // not opened yet
  }
}

async function readLines(file: string): Promise<Array<Record<string, unknown>>> {
  const text = await readFile(file, 'utf8')
  assert.ok(text.endsWith('\n'), 'the file ends with a complete line')
  return text.slice(0, -1).split('\n').map((line) => JSON.parse(line))
}

describe('access log to a file', () => {
  let dir: string
  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'gatehouse-access-'))
  })
  after(async () => {
    await rm(dir, { recursive: true, force: true })
  })

  it('writes one JSON line per request with pino-compatible level, time and msg', async () => {
    const file = join(dir, 'fields.log')
    const accessLog = createAccessLog({ enabled: true, destination: file })
    accessLog.record(entry())
    accessLog.record(entry({ status: 502, upstreamMs: undefined, route: undefined, target: undefined, errorCode: 'GH_ERR_UPSTREAM_CONNECT_FAILED', aborted: true }))
    await accessLog.close()
    const [ok, failed] = await readLines(file)
    assert.deepEqual(
      { ...ok, pid: 0, hostname: '' },
      {
        level: 30, time: 1_760_000_000_123, pid: 0, hostname: '', msg: 'request', correlationId: 'c0ffee00-0000-4000-8000-000000000001',
        method: 'GET', path: '/v1/data?page=2', status: 200, durationMs: 1.235, upstreamMs: 0.988, bytesSent: 512, clientIp: '192.0.2.10',
        route: 'data-api', target: '127.0.0.1:8081', errorCode: null, aborted: false,
      },
    )
    assert.equal(ok.pid, process.pid)
    assert.equal(typeof ok.hostname, 'string')
    assert.equal(failed.status, 502)
    assert.equal(failed.upstreamMs, null)
    assert.equal(failed.route, null)
    assert.equal(failed.target, null)
    assert.equal(failed.errorCode, 'GH_ERR_UPSTREAM_CONNECT_FAILED')
    assert.equal(failed.aborted, true)
  })

  it('JWT-14: query tokens are redacted from access logs', async () => {
    const file = join(dir, 'redacted.log')
    const accessLog = createAccessLog({ enabled: true, destination: file })
    accessLog.record(entry({ path: '/v1/data?access_token=eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiIxIn0.c2ln&page=2' }))
    accessLog.record(entry({ path: '/v1/data?api_key=sk_live_1234&access%5Ftoken=abc' }))
    await accessLog.close()
    const text = await readFile(file, 'utf8')
    assert.doesNotMatch(text, /eyJhbGciOiJSUzI1NiJ9|sk_live_1234|abc"/)
    const [first, second] = await readLines(file)
    assert.equal(first.path, '/v1/data?access_token=***&page=2')
    assert.equal(second.path, '/v1/data?api_key=***&access%5Ftoken=***')
  })

  it('keeps every line one valid JSON object whatever the path and method contain', async () => {
    const file = join(dir, 'hostile.log')
    const accessLog = createAccessLog({ enabled: true, destination: file })
    const path = '/a"b\\c\n{"level":60}\r\u0000\u001b[2J/caf\u00e9/\u{1f600}'
    accessLog.record(entry({ path, method: 'G"ET\n', clientIp: '"x', correlationId: 'id\n' }))
    await accessLog.close()
    const text = await readFile(file, 'latin1')
    assert.match(text, /^[\u0020-\u007e]+\n$/, 'a single ASCII line')
    const [line] = await readLines(file)
    assert.equal(line.path, path)
    assert.equal(line.method, 'G"ET\n')
    assert.equal(line.level, 30)
  })

  it('writes a batch after the flush interval without any flush() call', async () => {
    const file = join(dir, 'timer.log')
    const accessLog = createAccessLog({ enabled: true, destination: file }, { flushIntervalMs: 20 })
    accessLog.record(entry())
    await delay(40)
    for (let i = 0; i < 50 && (await sizeOf(file)) === 0; i++) await delay(20)
    assert.equal((await readLines(file)).length, 1)
    await accessLog.close()
  })

  it('writes as soon as a batch is full, before the timer', async () => {
    const file = join(dir, 'size.log')
    const accessLog = createAccessLog({ enabled: true, destination: file }, { flushBytes: 1024, flushIntervalMs: 60_000 })
    for (let i = 0; i < 10; i++) accessLog.record(entry())
    for (let i = 0; i < 50 && (await sizeOf(file)) === 0; i++) await delay(20)
    const early = (await readLines(file)).length
    assert.ok(early > 0 && early < 10, `full batches were written, the last partial one waits (${early} lines)`)
    await accessLog.close()
    assert.equal((await readLines(file)).length, 10)
  })

  it('loses no line on close, in order, across many batches', async () => {
    const file = join(dir, 'many.log')
    const accessLog = createAccessLog({ enabled: true, destination: file }, { flushBytes: 4096 })
    for (let i = 0; i < 5000; i++) {
      accessLog.record(entry({ bytesSent: i }))
      if (i % 500 === 0) await delay(1)
    }
    await accessLog.close()
    accessLog.record(entry({ bytesSent: -1 })) // after close: ignored, no throw
    const lines = await readLines(file)
    assert.equal(lines.length, 5000)
    assert.deepEqual(lines.map((line) => line.bytesSent), Array.from({ length: 5000 }, (_, i) => i))
    assert.equal(accessLog.droppedLines, 0)
  })

  it('flush() resolves once everything recorded so far is in the file', async () => {
    const file = join(dir, 'flush.log')
    const accessLog = createAccessLog({ enabled: true, destination: file }, { flushIntervalMs: 60_000 })
    accessLog.record(entry())
    accessLog.record(entry())
    await accessLog.flush()
    assert.equal((await readLines(file)).length, 2)
    accessLog.record(entry())
    await accessLog.flush()
    assert.equal((await readLines(file)).length, 3)
    await accessLog.close()
  })

  it('appends to an existing file and reopens it after rotation', async () => {
    const file = join(dir, 'rotate.log')
    const first = createAccessLog({ enabled: true, destination: file })
    first.record(entry({ bytesSent: 1 }))
    await first.close()
    const accessLog = createAccessLog({ enabled: true, destination: file })
    accessLog.record(entry({ bytesSent: 2 }))
    await accessLog.flush()
    await rename(file, file + '.1')
    accessLog.record(entry({ bytesSent: 3 }))
    await accessLog.reopen()
    accessLog.record(entry({ bytesSent: 4 }))
    await accessLog.close()
    assert.deepEqual((await readLines(file + '.1')).map((line) => line.bytesSent), [1, 2, 3])
    assert.deepEqual((await readLines(file)).map((line) => line.bytesSent), [4])
  })

  it('reports an unwritable destination once on the process log and keeps serving (EISDIR, ENOENT)', async () => {
    for (const [destination, code] of [[dir, 'EISDIR'], [join(dir, 'missing', 'access.log'), 'ENOENT']]) {
      const { log, lines } = capturedLog()
      const accessLog = createAccessLog({ enabled: true, destination }, { log })
      for (let i = 0; i < 3; i++) {
        accessLog.record(entry())
        await accessLog.flush()
      }
      await accessLog.close()
      assert.equal(lines.length, 1, `one report for ${code}`)
      assert.equal(lines[0].level, 50)
      assert.equal(lines[0].destination, destination)
      assert.equal((lines[0].err as { code: string }).code, code)
      assert.match(String(lines[0].msg), /cannot be written/)
    }
  })

  it('drops lines beyond the queue bound instead of growing without limit, and says so once', async () => {
    const file = join(dir, 'bounded.log')
    const { log, lines } = capturedLog()
    const accessLog = createAccessLog({ enabled: true, destination: file }, { log, maxQueuedBytes: 2000, flushBytes: 1000 })
    // No event-loop turn in between: nothing can be written, so the queue fills up.
    for (let i = 0; i < 100; i++) accessLog.record(entry())
    await accessLog.close()
    const written = (await readLines(file)).length
    assert.ok(written >= 4 && written <= 8, `${written} lines fit in 2000 bytes`)
    assert.equal(accessLog.droppedLines, 100 - written)
    assert.equal(lines.length, 1)
    assert.match(String(lines[0].msg), /not keeping up/)
  })

  it('writes a line longer than a whole batch on its own', async () => {
    const file = join(dir, 'long.log')
    const accessLog = createAccessLog({ enabled: true, destination: file }, { flushBytes: 512, flushIntervalMs: 60_000 })
    accessLog.record(entry({ bytesSent: 1 }))
    accessLog.record(entry({ bytesSent: 2, path: '/' + 'a'.repeat(2000) }))
    accessLog.record(entry({ bytesSent: 3 }))
    await accessLog.close()
    const lines = await readLines(file)
    assert.deepEqual(lines.map((line) => line.bytesSent), [1, 2, 3])
    assert.equal(String(lines[1].path).length, 2001)
  })

  it('refuses a relative destination with GH_ERR_CONFIG_INVALID', () => {
    assert.throws(
      () => createAccessLog({ enabled: true, destination: 'logs/access.log' }),
      (error: unknown) => error instanceof GatehouseError && error.code === 'GH_ERR_CONFIG_INVALID' && /accessLog\.destination/.test(error.detail),
    )
  })

  it('is a no-op when disabled: nothing is opened or written', async () => {
    const file = join(dir, 'disabled.log')
    const accessLog = createAccessLog({ enabled: false, destination: file })
    accessLog.record(entry())
    await accessLog.flush()
    await accessLog.close()
    await assert.rejects(stat(file), { code: 'ENOENT' })
  })
})

describe('access log to stdout', () => {
  const script = fileURLToPath(new URL('./fixtures/stdout-access-log.ts', import.meta.url))

  for (const mode of ['blocking', 'nonblocking']) {
    it(`keeps lines whole when several processes share one ${mode} stdout pipe (cluster workers)`, async () => {
      // Three writers on one pipe and a reader that lags, so the pipe is often full: a write
      // larger than PIPE_BUF would then be split and interleaved with another process's lines.
      const writer = `${JSON.stringify(process.execPath)} ${JSON.stringify(script)} 8000 ${mode}`
      const child = spawn('sh', ['-c', `${writer} & ${writer} & ${writer} & wait`], { stdio: ['ignore', 'pipe', 'inherit'] })
      let stdout = ''
      child.stdout.setEncoding('latin1').on('data', (chunk: string) => {
        stdout += chunk
        child.stdout.pause()
        setTimeout(() => child.stdout.resume(), 1)
      })
      await new Promise((resolve) => child.on('close', resolve))
      const lines = stdout.trimEnd().split('\n')
      assert.equal(lines.length, 3 * 8001)
      const broken = lines.filter((line) => {
        try {
          JSON.parse(line)
          return false
        } catch {
          return true
        }
      })
      assert.deepEqual(broken.slice(0, 3), [])
    })
  }

  for (const stream of ['stdout', 'stderr'] as const) {
    it(`writes complete lines to the process ${stream}, also when the process exits without close()`, async () => {
      const child = spawn(process.execPath, [script, '3000', 'blocking', stream], { stdio: ['ignore', 'pipe', 'pipe'] })
      const output = { stdout: '', stderr: '' }
      child.stdout.setEncoding('latin1').on('data', (chunk: string) => (output.stdout += chunk))
      child.stderr.setEncoding('latin1').on('data', (chunk: string) => (output.stderr += chunk))
      const code = await new Promise((resolve) => child.on('close', resolve))
      const other = stream === 'stdout' ? 'stderr' : 'stdout'
      assert.equal(code, 0, output.stderr)
      assert.equal(output[other], '')
      const lines = output[stream].trimEnd().split('\n').map((line) => JSON.parse(line))
      assert.equal(lines.length, 3001)
      assert.deepEqual(lines.map((line) => line.bytesSent), Array.from({ length: 3001 }, (_, i) => i))
      assert.equal(lines[0].msg, 'request')
    })
  }

  for (const mode of ['blocking', 'nonblocking']) {
    it(`close() gives up after its timeout when nobody reads a ${mode} stdout pipe`, async () => {
      const stuck = fileURLToPath(new URL('./fixtures/stuck-reader.ts', import.meta.url))
      const child = spawn(process.execPath, [stuck, mode], { stdio: ['ignore', 'pipe', 'pipe'] })
      child.stdout.pause() // never read: the pipe and our buffer fill up
      let stderr = ''
      child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk))
      const code = await new Promise((resolve) => child.on('exit', resolve))
      child.stdout.destroy()
      assert.equal(code, 0, stderr)
      const lines = stderr.trim().split('\n').map((line) => JSON.parse(line))
      const done = lines.find((line) => line.closedAfterMs !== undefined)
      assert.ok(done.closedAfterMs >= 250 && done.closedAfterMs < 2000, `closed after ${done.closedAfterMs} ms`)
      assert.ok(lines.some((line) => /did not take the last lines in time/.test(line.msg)), stderr)
    })
  }
})
