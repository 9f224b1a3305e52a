// Child process for run-scope.test.ts: starts a process that forks a grandchild (like nginx's
// master and worker), prints the process group id, then ends the way the test asks for.
import { setTimeout as sleep } from 'node:timers/promises'
import { RunScope } from './run-scope.ts'

const scope = new RunScope()
scope.handleInterrupts(() => {})
const sleeper = scope.spawn('sleepers', 'sh', ['-c', 'sleep 60 & sleep 60; wait'])
await sleep(200)
console.log(JSON.stringify({ group: sleeper.pid }))
if (process.argv[2] === 'exit') process.exit(3)
// 'signal': wait to be interrupted by the test.
await sleep(60_000)
