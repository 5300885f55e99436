-- POST / (the ChatKit protocol) with a constant body, the bearer secret rotating over a file of
-- sessions so that no one session hits the per-session message limit.
-- Arguments: secrets file (one per line), body file, offset (first request number), threads.
local here = debug.getinfo(1, "S").source:match("^@(.*/)") or "./"
local common = dofile(here .. "common.lua")
setup = common.setup
done = common.done

local secrets = {}
local body, offset, thread_count
local counter = 0

function init(args)
  for line in io.lines(args[1]) do
    if #line > 0 then table.insert(secrets, line) end
  end
  local file = assert(io.open(args[2], "rb"))
  body = file:read("*a")
  file:close()
  offset = tonumber(args[3])
  thread_count = tonumber(args[4])
end

function request()
  local n = offset + counter * thread_count + thread_index
  counter = counter + 1
  local headers = {
    ["Content-Type"] = "application/json",
    ["Authorization"] = "Bearer " .. secrets[(n % #secrets) + 1],
  }
  return wrk.format("POST", "/", headers, body)
end
