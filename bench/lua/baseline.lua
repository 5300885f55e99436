-- The bare endpoint: a plain GET, no per-request Lua (the cheapest load wrk can generate).
local here = debug.getinfo(1, "S").source:match("^@(.*/)") or "./"
local common = dofile(here .. "common.lua")
setup = common.setup
done = common.done
