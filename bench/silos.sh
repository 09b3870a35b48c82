#!/usr/bin/env bash
# Requests/s of the local profile on PostgreSQL with 1 silo, then 2 silos (./run.sh --silos N):
# 2 gateways (LeastConnections + rate limiting that never rejects), 3 fast demo backends,
# one wrk per gateway at once (-t1 -c32 each), warm-up first. Prints a table; results in bench/results/.
# Usage: bench/silos.sh [--duration S] [--warmup S] [--silos "1 2"] [--no-build]
set -euo pipefail
cd "$(dirname "$0")/.."

duration=15 warmup=10 silo_counts="1 2" build=1
while [[ $# -gt 0 ]]; do
  case "$1" in
    --duration) duration=$2; shift 2 ;;
    --warmup) warmup=$2; shift 2 ;;
    --silos) silo_counts=$2; shift 2 ;;
    --no-build) build=0; shift ;;
    -h|--help) sed -n '2,5p' "$0"; exit 0 ;;
    *) echo "unknown option $1" >&2; exit 2 ;;
  esac
done
command -v wrk >/dev/null || apt-get install -y -qq wrk >/dev/null || { apt-get update -qq && apt-get install -y -qq wrk; }
[[ $build == 1 ]] && dotnet build Orleans.sln -c Release -nologo -v quiet -clp:ErrorsOnly

run_pid=""
cleanup() {
  if [[ -n "$run_pid" ]]; then
    kill -TERM "$run_pid" 2>/dev/null || true
    for _ in $(seq 1 100); do kill -0 "$run_pid" 2>/dev/null || break; sleep 0.2; done
  fi
}
trap cleanup EXIT INT TERM

both_gateways() { # seconds -> total req/s
  local a b
  a=$(mktemp) b=$(mktemp)
  wrk -t1 -c32 -d"${1}s" -H 'X-Client-ID: bench' http://127.0.0.1:8080/ >"$a" 2>&1 &
  local p1=$!
  wrk -t1 -c32 -d"${1}s" -H 'X-Client-ID: bench' http://127.0.0.1:8081/ >"$b" 2>&1 &
  local p2=$!
  wait "$p1" "$p2"
  # "req/s (non-2xx)": wrk counts every response; a 429 or 503 here would mean the limit or the cluster was not ready.
  awk '/^Requests\/sec:/ {s += $2} /Non-2xx or 3xx responses:/ {n += $5} END {printf "%.0f (%d non-2xx)", s, n}' "$a" "$b"
  rm -f "$a" "$b"
}

declare -A rps
for n in $silo_counts; do
  echo "==> $n silo(s): starting ./run.sh --silos $n"
  ./run.sh --silos "$n" --no-build >"/tmp/granary-bench-silos-$n.log" 2>&1 &
  run_pid=$!
  # Ready = both gateways' Orleans clients connected (before that they serve on local decisions).
  for port in 8080 8081; do
    for _ in $(seq 1 600); do
      curl -fsS "http://127.0.0.1:$port/healthz" 2>/dev/null | grep -q '"silo_connected":true' && break; sleep 0.1
    done
  done
  # The bench client's limit, high enough never to reject: 201 created, or 409 when .run/pg kept it from a run before.
  code=$(curl -sS -o /dev/null -w '%{http_code}' -X POST http://127.0.0.1:9090/clients -H 'Content-Type: application/json' \
    -d '{"client_id":"bench","capacity":1000000000,"rate_per_sec":1000000000}')
  [[ $code == 201 || $code == 409 ]] || { echo "silos.sh: creating the bench client answered HTTP $code" >&2; exit 1; }
  echo "    warm-up ${warmup}s"; both_gateways "$warmup" >/dev/null
  echo "    measuring ${duration}s"; rps[$n]=$(both_gateways "$duration")
  echo "    $n silo(s): ${rps[$n]} req/s"
  cleanup; run_pid=""
done

stamp=$(date -u +%Y-%m-%dT%H-%M-%SZ)
report="bench/results/silos-$stamp.md"
{
  echo "# Local profile on PostgreSQL: 1 silo vs 2 silos ($stamp)"
  echo
  echo "2 gateways, 3 fast backends, wrk -t1 -c32 on each gateway at once, ${duration}s after ${warmup}s warm-up; $(nproc) cores for everything."
  echo
  echo "| silos | req/s, both gateways (responses not 2xx) |"
  echo "| ---: | ---: |"
  for n in $silo_counts; do echo "| $n | ${rps[$n]} |"; done
} | tee "$report"
