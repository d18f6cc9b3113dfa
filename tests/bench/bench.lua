-- wrk script of tests/bench/bench_http.sh.  The environment picks what it sends:
--   BENCH_MODE   track  GET /api/v1/track/<RMA>?postcode=<BENCH_POSTCODE>, cycling over the RMAs
--                scan   POST /api/v1/scans {"code": "<RMA>", "station": "bench"} (a bare RMA number
--                       resolves to its one inbound parcel), cycling over the RMAs
--   BENCH_RMAS   file with one RMA number a line; thread k of n takes lines k, k+n, ...
--   BENCH_TOKEN  bearer token for the scans (depot role)
--   BENCH_ONCE   1: each thread stops once it has one answer per RMA of its share (the phase of
--                first scans); otherwise wrk runs for its -d duration
--   BENCH_WRK_THREADS  the -t given to wrk
-- done() prints one "BENCH ..." line with the figures the shell script collects.
local threads = {}
local next_id = 1

function setup(thread)
    thread:set("id", next_id)
    next_id = next_id + 1
    table.insert(threads, thread)
end

function init(args)
    mode = os.getenv("BENCH_MODE") or "track"
    local n = tonumber(os.getenv("BENCH_WRK_THREADS") or "1")
    local postcode = os.getenv("BENCH_POSTCODE") or "60329"
    rmas = {}
    local k = 0
    for line in io.lines(os.getenv("BENCH_RMAS")) do
        if line ~= "" then
            if k % n == id - 1 then
                rmas[#rmas + 1] = line
            end
            k = k + 1
        end
    end
    once = os.getenv("BENCH_ONCE") == "1"
    i = 0
    answers = 0
    received = 0
    duplicate = 0
    other = 0
    if mode == "scan" then
        local headers = {
            ["Authorization"] = "Bearer " .. os.getenv("BENCH_TOKEN"),
            ["Content-Type"] = "application/json",
        }
        reqs = {}
        for j, r in ipairs(rmas) do
            reqs[j] = wrk.format("POST", "/api/v1/scans", headers,
                                 '{"code": "' .. r .. '", "station": "bench"}')
        end
    else
        reqs = {}
        for j, r in ipairs(rmas) do
            reqs[j] = wrk.format("GET", "/api/v1/track/" .. r .. "?postcode=" .. postcode)
        end
    end
end

function request()
    i = i + 1
    return reqs[((i - 1) % #reqs) + 1]
end

function response(status, headers, body)
    answers = answers + 1
    if mode == "scan" then
        local outcome = status == 200 and body:match('"outcome"%s*:%s*"([%a_]+)"') or nil
        if outcome == "received" then
            received = received + 1
        elseif outcome == "duplicate" then
            duplicate = duplicate + 1
        else
            other = other + 1
        end
    elseif status ~= 200 then
        other = other + 1
    end
    if once and answers >= #reqs then
        wrk.thread:stop()
    end
end

function done(summary, latency, requests)
    local rec, dup, oth = 0, 0, 0
    for _, t in ipairs(threads) do
        rec = rec + t:get("received")
        dup = dup + t:get("duplicate")
        oth = oth + t:get("other")
    end
    local e = summary.errors
    local secs = summary.duration / 1e6
    io.write(string.format(
        "BENCH requests=%d duration_s=%.2f rps=%.0f p50_ms=%.2f p90_ms=%.2f p99_ms=%.2f " ..
        "max_ms=%.2f non2xx=%d socket_errors=%d received=%d duplicate=%d other=%d\n",
        summary.requests, secs, summary.requests / secs, latency:percentile(50) / 1000,
        latency:percentile(90) / 1000, latency:percentile(99) / 1000, latency.max / 1000,
        e.status, e.connect + e.read + e.write + e.timeout, rec, dup, oth))
end
