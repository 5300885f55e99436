-- POST /session with a distinct X-Forwarded-For address on every request (the server trusts
-- 127.0.0.1 as a proxy, so the rate limiter sees many clients), and either a new student each
-- time or students drawn from a pool that the harness created beforehand.
-- Arguments: mode ("new" | "existing"), offset (first request number), threads, pool size.
local here = debug.getinfo(1, "S").source:match("^@(.*/)") or "./"
local common = dofile(here .. "common.lua")
setup = common.setup
done = common.done

local mode, offset, thread_count, pool
local counter = 0
local template = '{"page_path":"/docs/chapter-04/lesson-01-intro","page_title":"Introduction to Python",' ..
  '"current_chapter":"04-python","current_lesson":"01-intro","highlighted_text":"async def main(): ' ..
  'await asyncio.gather(fetch(session, url) for url in urls) runs every download concurrently on one ' ..
  'event loop; each await hands control back to the loop while the socket waits, so a hundred slow ' ..
  'servers cost little more than the slowest one. Mixing blocking calls into this loop stalls every ' ..
  'task at once; move blocking work to asyncio.to_thread() instead.","student_email":"%s","student_name":"Bench Student %d","learning_level":"intermediate"}'

function init(args)
  mode = args[1]
  offset = tonumber(args[2])
  thread_count = tonumber(args[3])
  pool = tonumber(args[4])
end

function request()
  local n = offset + counter * thread_count + thread_index
  counter = counter + 1
  local student = n
  local email
  if mode == "new" then
    email = string.format("new%d@bench.example", n)
  else
    student = n % pool
    email = string.format("student%d@bench.example", student)
  end
  local headers = { ["Content-Type"] = "application/json", ["X-Forwarded-For"] = common.ip(n) }
  return wrk.format("POST", "/session", headers, string.format(template, email, student))
end
