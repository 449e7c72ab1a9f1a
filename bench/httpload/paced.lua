-- wrk script: GET one endpoint for many users at a fixed request rate, report JSON.
--
-- Usage: wrk -t T -c C -d D -s paced.lua URL -- <users file> <path template> <rate> <T>
--   users file: one clear user id per line; path template: e.g. /v1/profiles/{user}
--   the API key comes from $HW_BENCH_KEY (kept off the command line and out of `ps`).
--
-- Pacing: wrk calls delay() before every request; each thread keeps an absolute schedule
-- (start + i * threads/rate), so the offered rate does not drift with response times as long
-- as a connection is free when a send is due. A send that happens after its scheduled time
-- is counted as "late" with its lag, which tells whether the latencies (measured by wrk from
-- the actual send) suffer from coordinated omission.

local ffi = require("ffi")
ffi.cdef [[
  typedef struct { long tv_sec; long tv_nsec; } hw_timespec;
  int clock_gettime(int clk_id, hw_timespec *tp);
]]
local ts = ffi.new("hw_timespec")
local function now_ms()
  ffi.C.clock_gettime(1, ts) -- CLOCK_MONOTONIC
  return tonumber(ts.tv_sec) * 1000 + tonumber(ts.tv_nsec) / 1e6
end

-- setup() runs in the main Lua state, once per thread: remember the threads for done().
local threads = {}
local thread_count = 0
function setup(thread)
  thread_count = thread_count + 1
  thread:set("id", thread_count)
  table.insert(threads, thread)
end

-- Per-thread state (each thread has its own Lua state).
local paths = {}
local next_path = 1
local interval_ms, start_ms, sent = nil, nil, 0
statuses = {}
late, max_lag_ms = 0, 0

function init(args)
  local file, template, rate = args[1], args[2], tonumber(args[3])
  local nthreads = tonumber(args[4])
  for line in io.lines(file) do
    if #line > 0 then
      local user = line:gsub("[^%w%-%._~]", function(c)
        return string.format("%%%02X", string.byte(c))
      end)
      -- A function replacement: "%" in an escaped id must not be read as a capture.
      local p = template:gsub("{user}", function()
        return user
      end)
      table.insert(paths, p)
    end
  end
  -- Threads start at different users so they do not walk the list in lock-step.
  next_path = ((id - 1) * math.floor(#paths / nthreads)) % #paths + 1
  interval_ms = 1000 * nthreads / rate
  wrk.headers["Authorization"] = "Bearer " .. os.getenv("HW_BENCH_KEY")
end

function delay()
  local now = now_ms()
  if start_ms == nil then
    start_ms = now
  end
  local due = start_ms + sent * interval_ms
  sent = sent + 1
  local wait = due - now
  if wait < -1 then -- more than a millisecond behind the schedule
    late = late + 1
    if -wait > max_lag_ms then
      max_lag_ms = -wait
    end
  end
  return math.max(0, wait)
end

function request()
  local p = paths[next_path]
  next_path = next_path % #paths + 1
  return wrk.format("GET", p)
end

function response(status, headers, body)
  local s = tostring(status)
  statuses[s] = (statuses[s] or 0) + 1
end

function done(summary, latency, requests)
  local codes, late_total, lag = {}, 0, 0
  for _, t in ipairs(threads) do
    for code, n in pairs(t:get("statuses")) do
      codes[code] = (codes[code] or 0) + n
    end
    late_total = late_total + t:get("late")
    lag = math.max(lag, t:get("max_lag_ms"))
  end
  local parts = {}
  for code, n in pairs(codes) do
    table.insert(parts, string.format('"%s": %d', code, n))
  end
  local e = summary.errors
  io.write(string.format(
    '{"hw_bench": 1, "duration_us": %d, "requests": %d, "p50_us": %d, "p90_us": %d, '
      .. '"p99_us": %d, "p999_us": %d, "max_us": %d, "mean_us": %.1f, "statuses": {%s}, '
      .. '"errors": {"connect": %d, "read": %d, "write": %d, "timeout": %d, "status": %d}, '
      .. '"late_sends": %d, "max_send_lag_ms": %.1f}\n',
    summary.duration, summary.requests, latency:percentile(50), latency:percentile(90),
    latency:percentile(99), latency:percentile(99.9), latency.max, latency.mean,
    table.concat(parts, ", "), e.connect, e.read, e.write, e.timeout, e.status,
    late_total, lag))
end
