#!/usr/bin/env bash
# Runs every test of the solution: unit tests and multi-process end-to-end tests on 127.0.0.1.
# Usage: ./test.sh [extra dotnet test args, e.g. --filter FullyQualifiedName~TokenBucket]
set -euo pipefail
cd "$(dirname "$0")"

log_dir=artifacts/test-logs
mkdir -p "$log_dir"

# [dashboard] The dashboard's browser tests (tests/Dashboard.Tests) drive Debian's Chromium headless
# through Microsoft.Playwright, whose driver ships in the NuGet package; nothing downloads a browser.
# Install the Debian package when it is missing (as deploy/pg-local.sh does for PostgreSQL).
if [[ ! -x /usr/bin/chromium ]]; then
  echo "==> Installing Chromium (Debian package chromium) for the dashboard's browser tests"
  export DEBIAN_FRONTEND=noninteractive
  apt-get install -y -qq -o DPkg::Lock::Timeout=120 chromium >/dev/null 2>&1 \
    || { apt-get update -qq && apt-get install -y -qq -o DPkg::Lock::Timeout=120 chromium >/dev/null; } \
    || echo "test.sh: could not install chromium; the dashboard's browser tests will fail" >&2
fi
export PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD=1

# [metrics] Every process's /metrics must pass `promtool check metrics` (tests/Hosting.Tests, Gateway.Tests, Silo.Tests);
# promtool comes from Debian's package prometheus.
if ! command -v promtool >/dev/null 2>&1; then
  echo "==> Installing promtool (Debian package prometheus) for the metrics format tests"
  export DEBIAN_FRONTEND=noninteractive
  # The package also holds the Prometheus server, whose service would take port 9090 (a silo's HTTP port):
  # a policy-rc.d that forbids starting services keeps it stopped, as Debian's container images do.
  if [[ ! -e /usr/sbin/policy-rc.d ]]; then
    printf '#!/bin/sh\nexit 101\n' >/usr/sbin/policy-rc.d && chmod 755 /usr/sbin/policy-rc.d
    remove_policy=1
  fi
  apt-get install -y -qq --no-install-recommends -o DPkg::Lock::Timeout=120 prometheus >/dev/null 2>&1 \
    || { apt-get update -qq && apt-get install -y -qq --no-install-recommends -o DPkg::Lock::Timeout=120 prometheus >/dev/null; } \
    || echo "test.sh: could not install promtool; the metrics format tests will fail" >&2
  if [[ -n "${remove_policy:-}" ]]; then rm -f /usr/sbin/policy-rc.d; fi
fi

# A private PostgreSQL server for the tests that need one (membership, storage, registry, faults):
# a free port, a temporary data directory, stopped when the run ends. Tests never skip for want of it.
pg_dir=$(mktemp -d /tmp/granary-test-pg.XXXXXX)
chmod 755 "$pg_dir" # the server runs as the postgres user, which must reach $pg_dir/data
pg_port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])' 2>/dev/null \
  || echo $((20000 + RANDOM % 20000)))
cleanup_pg() { deploy/pg-local.sh stop "$pg_dir/data" || true; rm -rf "$pg_dir"; }
trap cleanup_pg EXIT
echo "==> Starting PostgreSQL on 127.0.0.1:$pg_port"
export GRANARY_TEST_PG
GRANARY_TEST_PG=$(deploy/pg-local.sh start "$pg_dir/data" "$pg_port")
export GRANARY_TEST_PG_DIR="$pg_dir/data"

echo "==> Building (Release)"
dotnet build Orleans.sln -c Release -nologo -v quiet -clp:ErrorsOnly

echo "==> Testing"
status=0
# One assembly at a time: multi-process tests need the machine's two cores to themselves.
dotnet test Orleans.sln -c Release --no-build -nologo -m:1 \
  --logger "console;verbosity=normal" --results-directory "$log_dir" "$@" \
  2>&1 | tee "$log_dir/dotnet-test.log" || status=$?

# [compose] docker-compose.yml for real on a Docker engine (installed and started when missing), gateways scaled
# to 3 under traffic, a silo killed; stand-ins for the base images, as no image registry is reachable here.
# With a --filter (or other dotnet test arguments) it is skipped unless GRANARY_COMPOSE_TEST=1.
compose_status=0
if (($#)) && [[ "${GRANARY_COMPOSE_TEST:-}" != 1 ]]; then
  echo "==> Compose test skipped (dotnet test arguments given; GRANARY_COMPOSE_TEST=1 runs it)"
  compose_status=skip
  : >"$log_dir/compose.log"
else
  echo "==> Compose test (tests/compose/run.sh)"
  tests/compose/run.sh 2>&1 | tee "$log_dir/compose.log" || compose_status=$?
fi

# One closing line for the whole run: sum the per-assembly summaries
# ("Total tests: N" followed by "Passed: N", "Failed: N", "Skipped: N").
awk '
  /^Total tests: [0-9]+/ { seen = 1 }
  /^[[:space:]]+Passed: [0-9]+$/  { p += $2 }
  /^[[:space:]]+Failed: [0-9]+$/  { f += $2 }
  /^[[:space:]]+Skipped: [0-9]+$/ { s += $2 }
  END {
    if (!seen) { print "no test summary found"; exit 1 }
    if (compose == "skip") s++; else if (compose == 0) p++; else f++
    printf "%d passed, %d failed, %d skipped (the compose test counted as one)\n", p, f, s
    if (f > 0) exit 1
  }' compose="$compose_status" "$log_dir/dotnet-test.log" || status=1
# Name the failures last, where a CI log's tail shows them.
if grep -qE '^[[:space:]]+Failed [A-Za-z]' "$log_dir/dotnet-test.log" || [[ "$compose_status" != 0 && "$compose_status" != skip ]]; then
  echo "Failed tests:"
  grep -E '^[[:space:]]+Failed [A-Za-z]' "$log_dir/dotnet-test.log" | sed 's/^[[:space:]]*/  /' | cut -c1-300 || true
  if [[ "$compose_status" != 0 && "$compose_status" != skip ]]; then
    echo "  Failed compose test (tests/compose/run.sh): $(grep -m1 'FAILED' "$log_dir/compose.log" | cut -c1-250)"
  fi
fi
exit "$status"
