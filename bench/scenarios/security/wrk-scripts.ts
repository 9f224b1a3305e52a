// The wrk Lua scripts of the two OAuth rows. Both run in wrk's one thread (-t1), so the script's
// globals are the state of the whole load.
//
// oauth-reused: every 51st request is a client-credentials token request to the gateway's own key
// manager, the other 50 carry the newest token. Token issuance is part of the measured load, as
// with clients that fetch their own tokens, and each token serves 50 API requests on average.
// Until the first token arrives (the first round trip of a run) every request is a token request.
//
// oauth-fresh: cycles through tokens fetched before the run, one per request. There are more of
// them than the jwt policy's verified-token cache holds, and the position is carried from one wrk
// run to the next in a state file, so every request is a cache miss and a signature check.
import { luaString } from '../../lib/lua.ts'

/** API requests per token request in the oauth-reused row. */
export const REUSE = 50

export interface ReusedScriptOptions {
  apiPath: string
  tokenPath: string
  /** `Basic …` credentials of the bench client. */
  authorization: string
}

export function reusedTokenScript(options: ReusedScriptOptions): string {
  return `-- oauth-reused: one token request, then ${REUSE} API requests with the newest token.
local token_request = nil
local api_request = nil
local sent = 0

-- Formatted in init: at load time wrk.host is not known yet, and a request without Host is a 400.
function init(args)
  token_request = wrk.format("POST", ${luaString(options.tokenPath)}, {
    ["Authorization"] = ${luaString(options.authorization)},
    ["Content-Type"] = "application/x-www-form-urlencoded",
  }, "grant_type=client_credentials")
end

function request()
  sent = sent + 1
  if api_request == nil or sent % ${REUSE + 1} == 0 then
    return token_request
  end
  return api_request
end

function response(status, headers, body)
  -- API answers are a few bytes; only a token answer is long enough to hold a token.
  if status == 200 and #body > 64 then
    local token = body:match('"access_token":"([^"]+)"')
    if token ~= nil then
      api_request = wrk.format("GET", ${luaString(options.apiPath)}, { ["Authorization"] = "Bearer " .. token })
    end
  end
end
`
}

export interface FreshScriptOptions {
  apiPath: string
  /** One token per line. */
  tokensFile: string
  /** Where the position in the token list is kept between wrk runs. */
  stateFile: string
}

export function freshTokenScript(options: FreshScriptOptions): string {
  return `-- oauth-fresh: a token not seen recently on every request.
local requests = {}
local count = 0
local threads = {}
position = 0

local function read_position()
  local file = io.open(${luaString(options.stateFile)}, "r")
  if file == nil then return 0 end
  local value = tonumber(file:read("*l")) or 0
  file:close()
  return value
end

function setup(thread)
  table.insert(threads, thread)
end

function init(args)
  for line in io.lines(${luaString(options.tokensFile)}) do
    count = count + 1
    requests[count] = wrk.format("GET", ${luaString(options.apiPath)}, { ["Authorization"] = "Bearer " .. line })
  end
  position = read_position() % count
end

function request()
  position = position % count + 1
  return requests[position]
end

function done(summary, latency, requests_done)
  local file = io.open(${luaString(options.stateFile)}, "w")
  file:write(tostring(threads[1]:get("position")))
  file:close()
end
`
}
