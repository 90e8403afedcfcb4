-- wrk script of every Parta scenario: sends a random line of a request file.
--
--   wrk -t2 -c16 -d10s -s bench/load/requests.lua http://127.0.0.1:8765 -- var/bench/0_01/requests/diary.txt
--
-- A line is METHOD<TAB>PATH<TAB>TOKEN<TAB>BODY ("-" for no token / no body), written by
-- `manage.py bench_fixtures`. A token goes out as "Authorization: Bearer <token>", a body as JSON.
-- A fifth column, the request's kind (the morning timeline's lines have one), goes out as the
-- header "X-Bench-Kind", for the server's access log to count requests by kind.
-- done() prints one line "WRKJSON {...}" with requests, duration, latency percentiles (µs), wrk's
-- own error counts and the responses that were not 2xx (with the first such status seen).

local threads = {}
local counter = 0

function setup(thread)
  counter = counter + 1
  thread:set("id", counter)
  table.insert(threads, thread)
end

-- per-thread state (globals of each thread's Lua state, read back in done())
requests = {}
non2xx = 0
bad_status = 0

-- "once" after the file (and the number of threads): each thread sends its own share of the
-- lines (the n-th, n+threads-th, …), each once, and stops when it has sent them all, so a write
-- that must not repeat (submitting an attempt, a turnstile's batch) meets each line once and the
-- run ends early when the file is used up (wrk then reports the time it really ran). A fourth
-- argument skips that many lines first: a timeline sent in segments goes on where the last ended.
-- (wrk asks the first thread for one request before the run, to check it: that line is not sent.)
once = false
threads_total = 1
position = 0
used_up = false

function init(args)
  local file = args[1]
  once = args[2] == "once"
  threads_total = tonumber(args[3] or "1")
  if file == nil then
    error("usage: wrk ... -s requests.lua URL -- REQUEST-FILE [once THREADS [SKIP]]")
  end
  for line in io.lines(file) do
    -- JSON bodies hold no raw tabs: a tab after the body starts the kind.
    local method, path, token, body, kind = line:match("^([^\t]+)\t([^\t]+)\t([^\t]+)\t([^\t]*)\t?([^\t]*)$")
    if method ~= nil then
      local headers = { ["Accept"] = "application/json" }
      if token ~= "-" then
        headers["Authorization"] = "Bearer " .. token
      end
      if kind ~= "" then
        headers["X-Bench-Kind"] = kind
      end
      if body == "-" then
        body = nil
      else
        headers["Content-Type"] = "application/json"
      end
      requests[#requests + 1] = wrk.format(method, path, headers, body)
    end
  end
  if #requests == 0 then
    error("no requests in " .. file)
  end
  math.randomseed(os.time() * 1000 + (id or 0))
  position = tonumber(args[4] or "0") + (id or 1) - threads_total
end

function request()
  if once then
    position = position + threads_total
    if position + threads_total > #requests then
      used_up = true
    end
    -- Past the end (other connections of the thread asking before it stops): its last line again.
    return requests[math.min(position, #requests)]
  end
  return requests[math.random(#requests)]
end

function response(status, headers, body)
  if used_up then
    wrk.thread:stop()
  end
  if status < 200 or status > 299 then
    non2xx = non2xx + 1
    if bad_status == 0 then
      bad_status = status
    end
  end
end

function done(summary, latency, _requests)
  local bad, first = 0, 0
  for _, thread in ipairs(threads) do
    bad = bad + thread:get("non2xx")
    local status = thread:get("bad_status")
    if first == 0 and status ~= 0 then
      first = status
    end
  end
  local e = summary.errors
  io.write(string.format(
    'WRKJSON {"requests":%d,"duration_us":%d,"bytes":%d,' ..
    '"p50_us":%d,"p90_us":%d,"p95_us":%d,"p99_us":%d,"max_us":%d,"mean_us":%.1f,' ..
    '"connect_errors":%d,"read_errors":%d,"write_errors":%d,"timeouts":%d,"status_errors":%d,' ..
    '"non2xx":%d,"first_bad_status":%d}\n',
    summary.requests, summary.duration, summary.bytes,
    latency:percentile(50), latency:percentile(90), latency:percentile(95), latency:percentile(99),
    latency.max, latency.mean,
    e.connect, e.read, e.write, e.timeout, e.status, bad, first))
end
