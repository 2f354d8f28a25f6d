-- wrk script for bench/cas-vs-nginx: PUTs or GETs a pool of blobs, each thread its own share of the pool, and
-- checks every answer. Set by the environment:
--   POOL     a file of the pool's hex names, one per line
--   BODIES   the pool's bytes, blob i at (i-1)*SIZE
--   SIZE     every blob's size in bytes
--   METHOD   PUT or GET
--   PREFIX   the path before the name ("/cas/" or "/")
--   TOKEN    a bearer token, or empty
--   THREADS  wrk's -t, so that the threads split the pool without overlap
--   EXPECT   the statuses that count as success, comma-separated ("201" for a first write)
-- done() prints one line "WRK {json}" for the orchestrator: requests, seconds, statuses, failures.

local threads = {}

function setup(thread)
  thread:set("id", #threads)
  table.insert(threads, thread)
end

local function lines(path)
  local list = {}
  for line in io.lines(path) do
    list[#list + 1] = line
  end
  return list
end

function init(args)
  size = tonumber(os.getenv("SIZE"))
  method = os.getenv("METHOD")
  prefix = os.getenv("PREFIX")
  step = tonumber(os.getenv("THREADS"))
  expect = {}
  for status in string.gmatch(os.getenv("EXPECT"), "%d+") do
    expect[tonumber(status)] = true
  end
  local token = os.getenv("TOKEN")
  if token ~= nil and token ~= "" then
    wrk.headers["Authorization"] = "Bearer " .. token
  end
  names = lines(os.getenv("POOL"))
  local file = assert(io.open(os.getenv("BODIES"), "rb"))
  local all = file:read("*a")
  file:close()
  bodies, known = {}, {}
  for i = 1, #names do
    local body = all:sub((i - 1) * size + 1, i * size)
    bodies[i] = body
    known[body] = true
  end
  next_index = id + 1
  statuses, unexpected, wrong_bytes, wrapped = {}, 0, 0, 0
end

function request()
  local i = next_index
  next_index = next_index + step
  if next_index > #names then
    -- A first-write run that wraps stores blobs a second time: the orchestrator refuses its figure.
    next_index = id + 1
    wrapped = wrapped + 1
  end
  if method == "PUT" then
    return wrk.format("PUT", prefix .. names[i], nil, bodies[i])
  end
  return wrk.format("GET", prefix .. names[i])
end

function response(status, headers, body)
  statuses[status] = (statuses[status] or 0) + 1
  if not expect[status] then
    unexpected = unexpected + 1
  elseif method == "GET" and not known[body] then
    -- Every answer must be, byte for byte, one of the pool's blobs (short or damaged bodies are not).
    wrong_bytes = wrong_bytes + 1
  end
end

function done(summary, latency, requests)
  local merged, unexpected_total, wrong_total, wrapped_total = {}, 0, 0, 0
  for _, thread in ipairs(threads) do
    for status, n in pairs(thread:get("statuses")) do
      merged[status] = (merged[status] or 0) + n
    end
    unexpected_total = unexpected_total + thread:get("unexpected")
    wrong_total = wrong_total + thread:get("wrong_bytes")
    wrapped_total = wrapped_total + thread:get("wrapped")
  end
  local counts = {}
  for status, n in pairs(merged) do
    counts[#counts + 1] = string.format('"%d": %d', status, n)
  end
  local e = summary.errors
  io.write(string.format('WRK {"requests": %d, "seconds": %.3f, "statuses": {%s}, "unexpected": %d, '
      .. '"wrong_bytes": %d, "wrapped": %d, "socket_errors": %d, "p50_us": %d, "p99_us": %d}\n',
      summary.requests, summary.duration / 1e6, table.concat(counts, ", "), unexpected_total, wrong_total,
      wrapped_total, e.connect + e.read + e.write + e.timeout, latency:percentile(50), latency:percentile(99)))
end
