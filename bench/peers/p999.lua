-- wrk script: prints the 99.9th latency percentile (us) after the run; no per-request cost.
done = function(summary, latency, requests)
  io.write(string.format("P999_US %.0f\n", latency:percentile(99.9)))
end
