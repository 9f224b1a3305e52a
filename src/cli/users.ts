// `gatehouse users create`: a password-grant user in the key manager's store. The password is
// read from standard input (typed without echo on a terminal, or piped), never taken from the
// command line unless `--password` is given, which warns: argv is visible to every local user.
import { registerUser } from '../keymanager/clients/registry.ts'
import { describeFailure, openOffline, type OfflineKeyManager } from '../keymanager/offline.ts'
import type { CommandSpec } from './args.ts'

const USAGE = 'gatehouse users create --username U [--scope "a b"] [--password-stdin] [--config gatehouse.yaml]'

export const usersCommand: CommandSpec = {
  name: 'users',
  summary: 'Create users of the key manager\'s password grant',
  usage: USAGE,
  options: {
    config: { type: 'string', short: 'c', default: 'gatehouse.yaml' },
    username: { type: 'string' },
    scope: { type: 'string' },
    'password-stdin': { type: 'boolean', default: false },
    password: { type: 'string' },
  },
  async run(values, positionals) {
    if (positionals[0] !== 'create' || positionals.length !== 1 || values.username === undefined) {
      console.error(`gatehouse users: give the create action and --username\n\nUsage: ${USAGE}`)
      return 2
    }
    let password = values.password as string | undefined
    if (password !== undefined) {
      console.error('gatehouse users create: warning: --password puts the password in the process list and shell history; prefer standard input')
    } else {
      password = await readPassword()
    }
    let offline: OfflineKeyManager | undefined
    try {
      offline = await openOffline(values.config as string)
      const user = await registerUser(
        { store: offline.store, hasher: offline.hasher, now: () => Date.now() / 1000 },
        { username: values.username as string, password, ...(values.scope === undefined ? {} : { scope: values.scope as string }) },
        offline.config.passwordHashing,
      )
      console.log(`created user ${user.userId}`)
      return 0
    } catch (error) {
      console.error(`gatehouse users create: ${describeFailure(error)}`)
      return 1
    } finally {
      await offline?.store.close()
    }
  },
}

/** The first line of standard input; on a terminal it is typed without echo. */
async function readPassword(): Promise<string> {
  const stdin = process.stdin
  if (stdin.isTTY) {
    process.stderr.write('Password: ')
    stdin.setRawMode(true)
  }
  let text = ''
  try {
    for await (const chunk of stdin) {
      text += String(chunk)
      // Ctrl-C in raw mode arrives as a byte, not a signal.
      if (stdin.isTTY && text.includes('\u0003')) process.exit(130)
      if (/[\r\n]/.test(text)) break
    }
  } finally {
    if (stdin.isTTY) {
      stdin.setRawMode(false)
      process.stderr.write('\n')
    }
    stdin.pause()
  }
  return text.split(/\r?\n|\r/)[0]
}
