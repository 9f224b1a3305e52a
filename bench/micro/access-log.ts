// Cost of one access-log record() on the request path, in ns, next to the alternatives measured
// in the proxy benchmarks: JSON.stringify of the same object and a pino info line.
// Both loggers write to /dev/null so the figures are the loggers' own cost, not the disk's.
// Run: node bench/micro/access-log.ts [records]
import { pino } from 'pino'
import { createAccessLog, type AccessLogEntry } from '../../src/observability/access-log.ts'
import { formatAccessLine } from '../../src/observability/access-log-line.ts'

const records = Number(process.argv[2] ?? 1_000_000)
const sink = '/dev/null'

function entry(i: number): AccessLogEntry {
  return {
    time: 1_760_000_000_000 + Math.floor(i / 8), // several requests end in the same millisecond
    correlationId: '5f0c6c1e-8f3b-4a53-9d7e-2b8a6f1d3c4e',
    method: 'GET',
    path: i % 10 === 0 ? '/v1/data?access_token=abc.def.ghi&page=2' : '/v1/data?page=2',
    status: 200,
    durationMs: 0.4123 + (i % 7) / 100,
    upstreamMs: 0.3012,
    bytesSent: 1024,
    clientIp: '192.0.2.10',
    route: 'data-api',
    target: 'http://127.0.0.1:8081',
    errorCode: undefined,
    aborted: false,
  }
}

// Entries are built up front so the loop measures logging only.
const entries = Array.from({ length: 1000 }, (_, i) => entry(i))

// Records are issued in blocks with an event-loop turn between blocks, as a server would: that
// lets batches be written meanwhile. `record()` is timed around each block; the CPU figure is
// the whole process (all threads) divided by the records, so it includes formatting, flushing
// and the write syscalls.
async function measure(name: string, record: (e: AccessLogEntry) => void, finish: () => Promise<void>): Promise<void> {
  const block = 64
  for (let i = 0; i < 50_000; i++) {
    record(entries[i % 1000]) // warm-up
    if (i % block === 0) await new Promise((resolve) => setImmediate(resolve))
  }
  await finish()
  let inCalls = 0n
  const cpuBefore = process.cpuUsage()
  for (let done = 0; done < records; done += block) {
    const start = process.hrtime.bigint()
    for (let i = done; i < done + block; i++) record(entries[i % 1000])
    inCalls += process.hrtime.bigint() - start
    await new Promise((resolve) => setImmediate(resolve))
  }
  await finish()
  const cpu = process.cpuUsage(cpuBefore)
  const perCall = Number(inCalls) / records
  const cpuPerRecord = ((cpu.user + cpu.system) * 1000) / records
  console.log(`${name.padEnd(34)} ${perCall.toFixed(0).padStart(6)} ns per record() call, ${cpuPerRecord.toFixed(0).padStart(6)} ns process CPU per record (incl. event-loop turns)`)
}

const accessLog = createAccessLog({ enabled: true, destination: sink })
await measure('gatehouse access log', (e) => accessLog.record(e), () => accessLog.flush())
await accessLog.close()
console.log(`  (dropped ${accessLog.droppedLines} lines)`)

let total = 0
await measure('line formatting only (no I/O)', (e) => { total += formatAccessLine(e).length }, () => Promise.resolve())
await measure('JSON.stringify only (no I/O)', (e) => { total += JSON.stringify({ level: 30, msg: 'request', ...e }).length }, () => Promise.resolve())

const destination = pino.destination({ dest: sink, sync: false, minLength: 4096 })
const logger = pino(destination)
await measure('pino info line (async sonic-boom)', (e) => logger.info(e, 'request'), () => new Promise((resolve) => destination.flush(() => resolve())))
destination.end()
if (total < 0) console.log(total)
