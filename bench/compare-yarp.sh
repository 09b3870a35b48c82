#!/usr/bin/env bash
# Granary gateway vs plain YARP, in one run, on the same three fast demo backends.
#   Granary: LeastConnections over cluster-wide in-flight counts + per-client rate limiting
#            (client "bench" with a limit high enough never to reject), 1 silo.
#   YARP:    LeastRequests, no grain calls.
# Load: wrk, 64 connections, 2 threads. Each round warms each proxy up, then measures it;
# the table reports the median over rounds. Both proxies run with DOTNET_TieredPGO=0 (a fresh
# .NET proxy's throughput is bimodal under dynamic PGO).
# Usage: bench/compare-yarp.sh [--duration S] [--warmup S] [--rounds N] [--connections N]
set -euo pipefail
cd "$(dirname "$0")/.."

duration=15 warmup=10 rounds=3 connections=64
while [[ $# -gt 0 ]]; do
  case "$1" in
    --duration) duration=$2; shift 2 ;;
    --warmup) warmup=$2; shift 2 ;;
    --rounds) rounds=$2; shift 2 ;;
    --connections) connections=$2; shift 2 ;;
    -h|--help) sed -n '2,10p' "$0"; exit 0 ;;
    *) echo "unknown option $1" >&2; exit 2 ;;
  esac
done

command -v wrk >/dev/null || { echo "==> installing wrk (Debian package)"; apt-get install -y -qq wrk >/dev/null || { apt-get update -qq && apt-get install -y -qq wrk; }; }

# Ports apart from the local profile's so a running ./run.sh does not collide.
B1=15001 B2=15002 B3=15003 SILO_PORT=21111 SILO_GATEWAY=21300 SILO_HTTP=19090 GRANARY=18080 YARP=18180
for p in $B1 $B2 $B3 $SILO_PORT $SILO_GATEWAY $SILO_HTTP $GRANARY $YARP; do
  if (exec 3<>/dev/tcp/127.0.0.1/$p) 2>/dev/null; then echo "port $p is busy; stop what uses it" >&2; exit 1; fi
done

echo "==> building (Release)"
dotnet build Orleans.sln -c Release -nologo -v quiet -clp:ErrorsOnly
bin=artifacts/bin
work=$(mktemp -d /tmp/granary-bench.XXXXXX)
pids=()
cleanup() {
  for pid in "${pids[@]}"; do kill -TERM "$pid" 2>/dev/null || true; done
  for pid in "${pids[@]}"; do
    for _ in $(seq 1 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
    kill -KILL "$pid" 2>/dev/null || true
  done
  rm -rf "$work"
}
trap cleanup EXIT INT TERM

export DOTNET_TieredPGO=0
start() { # name dll args...
  local name=$1 dll=$2; shift 2
  dotnet "$bin/$dll/release/$dll.dll" "$@" >"$work/$name.log" 2>&1 &
  pids+=($!)
}
wait_ok() { # url
  for _ in $(seq 1 300); do curl -fsS -o /dev/null "$1" 2>/dev/null && return 0; sleep 0.1; done
  echo "timed out waiting for $1" >&2; tail -n 30 "$work"/*.log >&2; exit 1
}

echo "==> starting 3 backends, 1 silo, the Granary gateway and plain YARP"
for i in 1 2 3; do port_var=B$i; start "b$i" Granary.Samples.DemoBackend --port "${!port_var}" --id "b$i" --latency-ms 0; done
start silo Granary.Silo --Granary:Silo:SiloPort=$SILO_PORT --Granary:Silo:GatewayPort=$SILO_GATEWAY --Granary:Silo:HttpPort=$SILO_HTTP
mkdir -p "$work/gateway"
cat >"$work/gateway/appsettings.json" <<JSON
{
  "Logging": { "LogLevel": { "Default": "Warning" } },
  "Granary": { "Client": { "Gateways": [ "127.0.0.1:$SILO_GATEWAY" ] }, "Gateway": { "Id": "bench-gw" } },
  "ReverseProxy": {
    "Routes": { "all": { "ClusterId": "backends", "Match": { "Path": "{**catch-all}" } } },
    "Clusters": { "backends": {
      "Metadata": { "Granary.Policy": "LeastConnections" },
      "Destinations": {
        "b1": { "Address": "http://127.0.0.1:$B1/" },
        "b2": { "Address": "http://127.0.0.1:$B2/" },
        "b3": { "Address": "http://127.0.0.1:$B3/" } } } }
  }
}
JSON
start granary Granary.Gateway --contentRoot "$work/gateway" --urls "http://127.0.0.1:$GRANARY"
start yarp Granary.Bench.YarpBaseline --urls "http://127.0.0.1:$YARP" --backends "http://127.0.0.1:$B1/,http://127.0.0.1:$B2/,http://127.0.0.1:$B3/"
for u in "http://127.0.0.1:$B1/healthz" "http://127.0.0.1:$B2/healthz" "http://127.0.0.1:$B3/healthz" \
         "http://127.0.0.1:$SILO_HTTP/healthz" "http://127.0.0.1:$GRANARY/healthz" "http://127.0.0.1:$YARP/healthz"; do wait_ok "$u"; done
curl -fsS -o /dev/null -X POST "http://127.0.0.1:$SILO_HTTP/clients" -H 'Content-Type: application/json' \
  -d '{"client_id":"bench","capacity":1000000000,"rate_per_sec":1000000000}'

# wrk's latency distribution is in us/ms/s units: normalise to ms.
to_ms() { awk -v v="$1" 'BEGIN { if (v ~ /us$/) { sub(/us$/,"",v); print v/1000 } else if (v ~ /ms$/) { sub(/ms$/,"",v); print v+0 } else if (v ~ /s$/) { sub(/s$/,"",v); print v*1000 } else print v }'; }
measure() { # name url seconds -> "rps p50 p99 non2xx"
  local out; out=$(wrk -t2 -c"$connections" -d"${3}s" --latency -H 'X-Client-ID: bench' "$2" 2>&1)
  echo "$out" >"$work/wrk-$1.txt"
  local rps p50 p99 bad
  rps=$(awk '/^Requests\/sec:/ {print $2}' <<<"$out")
  p50=$(to_ms "$(awk '$1=="50%" {print $2}' <<<"$out")")
  p99=$(to_ms "$(awk '$1=="99%" {print $2}' <<<"$out")")
  bad=$(awk '/Non-2xx or 3xx responses:/ {print $5}' <<<"$out"); bad=${bad:-0}
  echo "$rps $p50 $p99 $bad"
}

declare -A results
for r in $(seq 1 "$rounds"); do
  for target in yarp granary; do
    port_var=${target^^}; url="http://127.0.0.1:${!port_var}/"
    echo "==> round $r/$rounds: $target warm-up ${warmup}s"
    measure "$target-warm" "$url" "$warmup" >/dev/null
    echo "==> round $r/$rounds: $target measuring ${duration}s"
    results[$target,$r]=$(measure "$target-$r" "$url" "$duration")
    echo "    $target: ${results[$target,$r]}  (req/s p50_ms p99_ms non2xx)"
  done
done

median() { sort -g | awk '{a[NR]=$1} END {print (NR%2 ? a[(NR+1)/2] : (a[NR/2]+a[NR/2+1])/2)}'; }
col() { # target column
  for r in $(seq 1 "$rounds"); do echo "${results[$1,$r]}" | awk -v c="$2" '{print $c}'; done | median
}
# Proof that the Granary side consulted grains rather than deciding locally.
metric_sum() { curl -fsS "$1/metrics" | awk -v m="$2" '$1 ~ "^"m"({|$)" { s += $NF } END { printf "%.0f", s }'; }
grain_calls=$(metric_sum "http://127.0.0.1:$GRANARY" orleans_messaging_sent_messages_size_bytes_count)
fallbacks=$(metric_sum "http://127.0.0.1:$GRANARY" granary_gateway_fallback_decisions_total)
rate_limited=$(metric_sum "http://127.0.0.1:$GRANARY" granary_gateway_rate_limited_total)
stamp=$(date -u +%Y-%m-%dT%H-%M-%SZ)
report="bench/results/compare-yarp-$stamp.md"
{
  echo "# Granary gateway vs plain YARP ($stamp)"
  echo
  echo "wrk -t2 -c$connections, ${duration}s per measurement after ${warmup}s warm-up, median of $rounds rounds; 3 fast demo backends; DOTNET_TieredPGO=0; $(nproc) cores."
  echo
  printf '| %-38s | %10s | %8s | %8s | %7s |\n' "proxy" "req/s" "p50 ms" "p99 ms" "non-2xx"
  printf '|%s|%s|%s|%s|%s|\n' "$(printf -- '-%.0s' {1..40})" "------------" "----------" "----------" "---------"
  for t in yarp granary; do
    name=$([[ $t == yarp ]] && echo "YARP 2.3 (LeastRequests)" || echo "Granary (LeastConnections + rate limit)")
    printf '| %-38s | %10.0f | %8.2f | %8.2f | %7.0f |\n' "$name" "$(col $t 1)" "$(col $t 2)" "$(col $t 3)" "$(col $t 4)"
  done
  echo
  awk -v g="$(col granary 1)" -v y="$(col yarp 1)" 'BEGIN { printf "Throughput ratio Granary/YARP: %.2f\n", g / y }'
  echo
  echo "Granary gateway over the whole run: $grain_calls grain calls sent, $fallbacks local-fallback decisions, $rate_limited rate-limited."
  echo
  echo "Per round (req/s p50_ms p99_ms non2xx):"
  for r in $(seq 1 "$rounds"); do echo "- round $r: yarp ${results[yarp,$r]}; granary ${results[granary,$r]}"; done
} | tee "$report"
echo "(written to $report)"
