#!/usr/bin/env bash
# Runs every test of the solution: unit tests and multi-process end-to-end tests on 127.0.0.1.
# Usage: ./test.sh [extra dotnet test args, e.g. --filter FullyQualifiedName~TokenBucket]
set -euo pipefail
cd "$(dirname "$0")"

log_dir=artifacts/test-logs
mkdir -p "$log_dir"

echo "==> Building (Release)"
dotnet build Orleans.sln -c Release -nologo -v quiet -clp:ErrorsOnly

echo "==> Testing"
status=0
# One assembly at a time: multi-process tests need the machine's two cores to themselves.
dotnet test Orleans.sln -c Release --no-build -nologo -m:1 \
  --logger "console;verbosity=normal" --results-directory "$log_dir" "$@" \
  2>&1 | tee "$log_dir/dotnet-test.log" || status=$?

# One closing line for the whole run: sum the per-assembly summaries
# ("Total tests: N" followed by "Passed: N", "Failed: N", "Skipped: N").
awk '
  /^Total tests: [0-9]+/ { seen = 1 }
  /^[[:space:]]+Passed: [0-9]+$/  { p += $2 }
  /^[[:space:]]+Failed: [0-9]+$/  { f += $2 }
  /^[[:space:]]+Skipped: [0-9]+$/ { s += $2 }
  END {
    if (!seen) { print "no test summary found"; exit 1 }
    printf "%d passed, %d failed, %d skipped\n", p, f, s
    if (f > 0) exit 1
  }' "$log_dir/dotnet-test.log" || status=1
exit "$status"
