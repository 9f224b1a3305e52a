// The wrk Lua scripts of the token scenario, generated per run into the run's temp dir.
//
// client_credentials sends the same form body every time, so its script only sets the method,
// body and headers; password cycles through its users' bodies. A refresh token is used once (every use rotates it), so the
// refresh script keeps a queue: it starts with a few more fresh refresh tokens than there are
// connections (read from a file), every request takes one from the front, and every answer puts
// the new refresh token it carries at the back. A connection only asks for its next request after
// its previous answer was handled, so the queue never runs dry while the answers succeed; if one
// fails, its connection sends a token that cannot work and wrk counts the error.
import { writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { luaString } from '../../lib/lua.ts'

function headerLines(authorization: string): string {
  return [
    'wrk.method = "POST"',
    'wrk.headers["Content-Type"] = "application/x-www-form-urlencoded"',
    `wrk.headers["Authorization"] = ${luaString(authorization)}`,
  ].join('\n')
}

/** The same POST for every request; `body` is already form-urlencoded. */
export function staticFormScript(authorization: string, body: string): string {
  return `${headerLines(authorization)}\nwrk.body = ${luaString(body)}\n`
}

/** POSTs cycling through `bodies` (the password grant: one body per user). */
export function cyclingFormScript(authorization: string, bodies: readonly string[]): string {
  return `${headerLines(authorization)}
local bodies = { ${bodies.map(luaString).join(', ')} }
local last = 0

request = function()
  last = last % #bodies + 1
  return wrk.format(nil, nil, nil, bodies[last])
end
`
}

/** The refresh chain described above; `seedFile` holds one refresh token per line. */
export function refreshChainScript(authorization: string, seedFile: string): string {
  return `${headerLines(authorization)}
local queue = {}
local head, tail = 1, 0
for line in io.lines(${luaString(seedFile)}) do
  if line ~= "" then
    tail = tail + 1
    queue[tail] = line
  end
end

request = function()
  local token = "queue-ran-dry"
  if head <= tail then
    token = queue[head]
    queue[head] = nil
    head = head + 1
  end
  return wrk.format(nil, nil, nil, "grant_type=refresh_token&refresh_token=" .. token)
end

response = function(status, headers, body)
  local token = body:match('"refresh_token":"([^"]+)"')
  if token then
    tail = tail + 1
    queue[tail] = token
  end
end
`
}

/** Writes `text` as `<dir>/<name>.lua` and returns its path. */
export function writeScript(dir: string, name: string, text: string): string {
  const file = join(dir, `${name}.lua`)
  writeFileSync(file, text)
  return file
}
