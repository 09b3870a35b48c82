-- wrk script: counts responses per X-Backend-Id header value (summed over threads) and prints
-- "BACKEND <id> <count>" lines plus the 99.9th latency percentile (us) after the run.
local threads = {}
setup = function(thread) table.insert(threads, thread) end
counts = {}
response = function(status, headers, body)
  local id = headers["X-Backend-Id"] or headers["x-backend-id"] or "none"
  counts[id] = (counts[id] or 0) + 1
end
done = function(summary, latency, requests)
  local total = {}
  for _, t in ipairs(threads) do
    local c = t:get("counts")
    if c then for k, v in pairs(c) do total[k] = (total[k] or 0) + v end end
  end
  for k, v in pairs(total) do io.write(string.format("BACKEND %s %d\n", k, v)) end
  io.write(string.format("P999_US %.0f\n", latency:percentile(99.9)))
end
