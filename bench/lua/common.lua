-- Shared by the benchmark scripts: thread numbering, distinct client addresses, and the one
-- summary line (BENCH_JSON {...}) that the harness parses instead of wrk's human-readable text.
local common = {}
local threads = {}

-- Number the threads 0, 1, ... so each one draws its own slice of request numbers.
function common.setup(thread)
  thread:set("thread_index", #threads)
  table.insert(threads, thread)
end

-- A distinct 10.x.y.z address for request number n (16 M addresses before it wraps).
function common.ip(n)
  return string.format("10.%d.%d.%d", math.floor(n / 65536) % 256, math.floor(n / 256) % 256, n % 256)
end

function common.done(summary, latency, requests)
  local e = summary.errors
  local p50, p90, p99, max, mean = 0, 0, 0, 0, 0
  if summary.requests > 0 then
    p50, p90, p99 = latency:percentile(50), latency:percentile(90), latency:percentile(99)
    max, mean = latency.max, latency.mean
  end
  io.write(string.format(
    'BENCH_JSON {"requests":%d,"duration_us":%d,"bytes":%d,' ..
    '"errors":{"connect":%d,"read":%d,"write":%d,"status":%d,"timeout":%d},' ..
    '"latency_us":{"p50":%.1f,"p90":%.1f,"p99":%.1f,"max":%.1f,"mean":%.1f}}\n',
    summary.requests, summary.duration, summary.bytes,
    e.connect, e.read, e.write, e.status, e.timeout, p50, p90, p99, max, mean))
end

return common
