// LOAD-07 by measurement: how long a config with 10,000 routes and 100,000 consumers takes to
// load (parse, validate, compile the routes, digest the keys), and the router's lookup time with
// 10,000 routes against 10, as the median of several rounds of many lookups each.
// Run: node bench/micro/routing-scale.ts [routes] [consumers]
import { parseConfigText } from '../../src/config/load.ts'
import { Runtime } from '../../src/gateway/runtime.ts'
import { POLICIES } from '../../src/policies/index.ts'
import { scaleConfigYaml } from '../../test/helpers/scale-config.ts'

const routes = Number(process.argv[2] ?? 10_000)
const consumers = Number(process.argv[3] ?? 100_000)
const LOOKUPS = 200_000
const ROUNDS = 7

async function load(routeCount: number, consumerCount: number): Promise<{ runtime: Runtime; parseMs: number; compileMs: number }> {
  const text = 'listeners:\n  - { name: main, protocol: http, host: 127.0.0.1, port: 8080 }\n'
    + scaleConfigYaml({ routes: routeCount, consumers: consumerCount, upstreamUrl: 'http://127.0.0.1:9' })
  const started = performance.now()
  const config = parseConfigText(text, 'scale.yaml', { env: {} })
  const parsed = performance.now()
  const runtime = await Runtime.create(config, 1, POLICIES)
  return { runtime, parseMs: parsed - started, compileMs: performance.now() - parsed }
}

/** ns per lookup over paths spread across all routes, median of ROUNDS rounds. */
function lookupNs(runtime: Runtime, routeCount: number): number {
  const paths = Array.from({ length: 1024 }, (_, i) => `/svc${(i * 7919) % routeCount}/items/${i}`)
  const rounds: number[] = []
  for (let round = 0; round < ROUNDS + 1; round++) {
    const start = process.hrtime.bigint()
    for (let i = 0; i < LOOKUPS; i++) {
      if (runtime.match('GET', paths[i & 1023], '127.0.0.1') === null) throw new Error(`no route for ${paths[i & 1023]}`)
    }
    if (round > 0) rounds.push(Number(process.hrtime.bigint() - start) / LOOKUPS) // round 0 warms up
  }
  return rounds.sort((a, b) => a - b)[Math.floor(rounds.length / 2)]
}

const small = await load(10, 0)
const large = await load(routes, consumers)
const smallNs = lookupNs(small.runtime, 10)
const largeNs = lookupNs(large.runtime, routes)
console.log(`load ${routes} routes + ${consumers} consumers: parse and validate ${large.parseMs.toFixed(0)} ms, compile ${large.compileMs.toFixed(0)} ms, total ${(large.parseMs + large.compileMs).toFixed(0)} ms`)
console.log(`lookup with 10 routes: ${smallNs.toFixed(0)} ns; with ${routes}: ${largeNs.toFixed(0)} ns; ratio ${(largeNs / smallNs).toFixed(2)}`)
await small.runtime.consumers?.stop()
await large.runtime.consumers?.stop()
for (const upstream of [...small.runtime.upstreams.values(), ...large.runtime.upstreams.values()]) upstream.targets.stop()
