#!/usr/bin/env bash
# bench/peers: Granary against nginx, HAProxy and plain YARP on 127.0.0.1, in one run.
#   Throughput: the same 3 fast demo backends (latency 0), the same wrk load (-t2 -c<N>), one proxy
#   after another, each warmed up first: direct to one backend (ceiling), nginx least_conn
#   (1 and 2 workers), HAProxy leastconn (nbthread 1 and 2), plain YARP 2.3 LeastRequests, Granary
#   exact mode and Granary batched mode (LeastConnections + rate limiting with a never-rejecting
#   client; batched = token leases + in-flight batches every 20 ms).
#   Consistency: (a) one client limited to 100 req/s through two nginx limit_req instances vs two
#   Granary gateways, exact and batched (same traffic split over both); (b) backends 2/2/20 ms
#   behind two nginx least_conn instances vs two Granary gateways (exact, batched): shares and p99.
# Writes bench/results/peers-<stamp>.{csv,md,svg} and bench/results/peers-latest.svg.
# Usage: bench/peers/run.sh [--duration S] [--warmup S] [--connections N] [--pair-duration S] [--rounds N] [--profile]
#   (the three .NET proxies are measured in N interleaved rounds, default 3; each row is the median round)
#   --profile: instead of the suite, where the time goes: plain YARP, Granary exact and batched under the same
#   load, each process's CPU per request (proxy, silo, backends) and `perf record` of the proxy (.NET
#   symbols through DOTNET_PerfMapEnabled=1); writes bench/results/profile-<stamp>.md.
# Env: ARTIFACTS=<dir> builds into that artifacts path (default: the repo's artifacts/).
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
cd "$here/../.."

duration=10 warmup=5 connections=64 pair_duration=15 rounds=3 profile=0
while [[ $# -gt 0 ]]; do
  case "$1" in
    --duration) duration=$2; shift 2 ;;
    --warmup) warmup=$2; shift 2 ;;
    --connections) connections=$2; shift 2 ;;
    --pair-duration) pair_duration=$2; shift 2 ;;
    --rounds) rounds=$2; shift 2 ;;
    --profile) profile=1; shift ;;
    -h|--help) sed -n '2,14p' "$0"; exit 0 ;;
    *) echo "unknown option $1" >&2; exit 2 ;;
  esac
done

# ---- tools (Debian packages), never the system services ----
need=()
command -v wrk >/dev/null || need+=(wrk)
command -v nginx >/dev/null || [[ -x /usr/sbin/nginx ]] || need+=(nginx-light)
command -v haproxy >/dev/null || [[ -x /usr/sbin/haproxy ]] || need+=(haproxy)
if ((${#need[@]})); then
  echo "==> installing ${need[*]} (Debian packages)"
  sudo=""; [[ $(id -u) == 0 ]] || sudo=sudo
  $sudo apt-get install -y -qq "${need[@]}" >/dev/null || { $sudo apt-get update -qq && $sudo apt-get install -y -qq "${need[@]}" >/dev/null; }
fi
NGINX=$(command -v nginx || echo /usr/sbin/nginx)
HAPROXY=$(command -v haproxy || echo /usr/sbin/haproxy)

# ---- ports (apart from the local profile and bench/compare-yarp.sh) ----
B1=16001 B2=16002 B3=16003 S1=16011 S2=16012 S3=16013 SILO_PORT=22111 SILO_GATEWAY=22300 SILO_HTTP=19190
NGX=18280 HAP=18281 YARP=18282 GW1=18283 GW2=18284 NGXA=18285 NGXB=18286 GW3=18287 GW4=18288
for p in $B1 $B2 $B3 $S1 $S2 $S3 $SILO_PORT $SILO_GATEWAY $SILO_HTTP $NGX $HAP $YARP $GW1 $GW2 $NGXA $NGXB $GW3 $GW4; do
  if (exec 3<>/dev/tcp/127.0.0.1/$p) 2>/dev/null; then echo "port $p is busy; stop what uses it" >&2; exit 1; fi
done

ARTIFACTS=${ARTIFACTS:-$PWD/artifacts}
echo "==> building (Release, artifacts: $ARTIFACTS)"
for proj in src/Silo/Granary.Silo.csproj src/Gateway/Granary.Gateway.csproj \
            samples/DemoBackend/Granary.Samples.DemoBackend.csproj bench/YarpBaseline/Granary.Bench.YarpBaseline.csproj; do
  dotnet build "$proj" -c Release -nologo -v quiet -clp:ErrorsOnly -p:ArtifactsPath="$ARTIFACTS" >/dev/null
done
bin=$ARTIFACTS/bin
work=$(mktemp -d /tmp/granary-peers.XXXXXX)
pids=()
stop_pid() { # pid: TERM, wait up to 5 s, KILL
  local pid=$1
  kill -TERM "$pid" 2>/dev/null || true
  for _ in $(seq 1 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
  kill -KILL "$pid" 2>/dev/null || true
  wait "$pid" 2>/dev/null || true
}
cleanup() {
  for pid in "${pids[@]}"; do stop_pid "$pid"; done
  rm -rf "$work"
}
trap cleanup EXIT INT TERM

export DOTNET_TieredPGO=0
# perf resolves JIT-compiled frames through /tmp/perf-PID.map, which only matches with W^X double mapping off.
if [[ $profile == 1 ]]; then export DOTNET_PerfMapEnabled=1 DOTNET_EnableWriteXorExecute=0; fi
last_pid=
start() { # name command args... (sets last_pid)
  local name=$1; shift
  "$@" >"$work/$name.log" 2>&1 &
  last_pid=$!; pids+=("$last_pid")
}
start_dll() { local name=$1 dll=$2; shift 2; start "$name" dotnet "$bin/$dll/release/$dll.dll" "$@"; }
forget() { local p=$1 keep=(); for q in "${pids[@]}"; do [[ $q == "$p" ]] || keep+=("$q"); done; pids=("${keep[@]}"); }
wait_ok() { # url
  for _ in $(seq 1 300); do curl -fsS -o /dev/null "$1" 2>/dev/null && return 0; sleep 0.1; done
  echo "timed out waiting for $1" >&2; tail -n 30 "$work"/*.log >&2; exit 1
}

echo "==> starting 6 demo backends (3 fast; 2/2/20 ms for the share test), 1 silo, 4 Granary gateways (2 exact, 2 batched), plain YARP"
for i in 1 2 3; do v=B$i; start_dll "b$i" Granary.Samples.DemoBackend --port "${!v}" --id "b$i" --latency-ms 0; done
for i in 1 2 3; do v=S$i; lat=$([[ $i == 3 ]] && echo 20 || echo 2); start_dll "s$i" Granary.Samples.DemoBackend --port "${!v}" --id "s$i" --latency-ms "$lat"; done
start_dll silo Granary.Silo --Granary:Silo:SiloPort=$SILO_PORT --Granary:Silo:GatewayPort=$SILO_GATEWAY --Granary:Silo:HttpPort=$SILO_HTTP --Logging:LogLevel:Default=Warning
# One gateway config, two clusters: "/lb/..." goes to the skewed backends, everything else to the fast ones.
gateway_config() { # dir id mode(Exact|Batched)
  mkdir -p "$1"
  cat >"$1/appsettings.json" <<JSON
{
  "Logging": { "LogLevel": { "Default": "Warning" } },
  "Granary": { "Client": { "Gateways": [ "127.0.0.1:$SILO_GATEWAY" ] }, "Gateway": { "Id": "$2" }, "RateLimit": { "Mode": "$3" } },
  "ReverseProxy": {
    "Routes": {
      "skew": { "ClusterId": "peers-skew", "Order": -1, "Match": { "Path": "/lb/{**rest}" } },
      "all": { "ClusterId": "peers-fast", "Match": { "Path": "{**catch-all}" } } },
    "Clusters": {
      "peers-fast": {
        "Metadata": { "Granary.Policy": "LeastConnections", "Granary.Mode": "$3" },
        "Destinations": {
          "b1": { "Address": "http://127.0.0.1:$B1/" },
          "b2": { "Address": "http://127.0.0.1:$B2/" },
          "b3": { "Address": "http://127.0.0.1:$B3/" } } },
      "peers-skew": {
        "Metadata": { "Granary.Policy": "LeastConnections", "Granary.Mode": "$3" },
        "Destinations": {
          "s1": { "Address": "http://127.0.0.1:$S1/" },
          "s2": { "Address": "http://127.0.0.1:$S2/" },
          "s3": { "Address": "http://127.0.0.1:$S3/" } } } }
  }
}
JSON
}
gateway_config "$work/gw1" peers-gw1 Exact; gateway_config "$work/gw2" peers-gw2 Exact
gateway_config "$work/gw3" peers-gw3 Batched; gateway_config "$work/gw4" peers-gw4 Batched
start_dll gw1 Granary.Gateway --contentRoot "$work/gw1" --urls "http://127.0.0.1:$GW1"; GW1_PID=$last_pid
start_dll gw2 Granary.Gateway --contentRoot "$work/gw2" --urls "http://127.0.0.1:$GW2"; GW2_PID=$last_pid
start_dll gw3 Granary.Gateway --contentRoot "$work/gw3" --urls "http://127.0.0.1:$GW3"; GW3_PID=$last_pid
start_dll gw4 Granary.Gateway --contentRoot "$work/gw4" --urls "http://127.0.0.1:$GW4"; GW4_PID=$last_pid
start_dll yarp Granary.Bench.YarpBaseline --urls "http://127.0.0.1:$YARP" --backends "http://127.0.0.1:$B1/,http://127.0.0.1:$B2/,http://127.0.0.1:$B3/"; YARP_PID=$last_pid
for p in $B1 $B2 $B3 $S1 $S2 $S3 $SILO_HTTP $GW1 $GW2 $GW3 $GW4 $YARP; do wait_ok "http://127.0.0.1:$p/healthz"; done
admin() { curl -fsS -o /dev/null -X POST "http://127.0.0.1:$SILO_HTTP/clients" -H 'Content-Type: application/json' -d "$1"; }
admin '{"client_id":"bench","capacity":1000000000,"rate_per_sec":1000000000}'
admin '{"client_id":"limited","capacity":100,"rate_per_sec":100}'
admin '{"client_id":"limited-b","capacity":100,"rate_per_sec":100}'

# ---- nginx / haproxy with their own config files, foreground, stopped by PID ----
nginx_conf() { # file port workers mode(fast|pair)
  local d; d=$(dirname "$1")
  local extra_http="" extra_loc=""
  if [[ $4 == pair ]]; then
    extra_http="limit_req_zone \$http_x_client_id zone=perclient:1m rate=100r/s; limit_req_status 429;
  upstream skew { least_conn; server 127.0.0.1:$S1; server 127.0.0.1:$S2; server 127.0.0.1:$S3; keepalive 64; }"
    extra_loc="location /rl/ { limit_req zone=perclient burst=5 nodelay; proxy_pass http://fast; }
    location /lb/ { proxy_pass http://skew; }"
  fi
  cat >"$1" <<CONF
$( [[ $(id -u) == 0 ]] && echo "user root;" )
worker_processes $3;
daemon off;
pid $d/nginx.pid;
error_log $d/error.log warn;
events { worker_connections 4096; }
http {
  access_log off;
  client_body_temp_path $d/body; proxy_temp_path $d/proxy; fastcgi_temp_path $d/fcgi;
  uwsgi_temp_path $d/uwsgi; scgi_temp_path $d/scgi;
  proxy_http_version 1.1; proxy_set_header Connection ""; proxy_buffering on;
  upstream fast { least_conn; server 127.0.0.1:$B1; server 127.0.0.1:$B2; server 127.0.0.1:$B3; keepalive 64; }
  $extra_http
  server {
    listen 127.0.0.1:$2;
    $extra_loc
    location / { proxy_pass http://fast; }
  }
}
CONF
}
start_nginx() { # name port workers mode -> last_pid
  local d="$work/$1"; mkdir -p "$d"; nginx_conf "$d/nginx.conf" "$2" "$3" "$4"
  start "$1" "$NGINX" -c "$d/nginx.conf" -p "$d" -e "$d/error.log"
  wait_ok "http://127.0.0.1:$2/"
}
start_haproxy() { # name port threads -> last_pid
  local d="$work/$1"; mkdir -p "$d"
  cat >"$d/haproxy.cfg" <<CFG
global
  nbthread $3
  maxconn 4000
defaults
  mode http
  timeout connect 5s
  timeout client 30s
  timeout server 30s
  option http-keep-alive
  http-reuse always
frontend fe
  bind 127.0.0.1:$2
  default_backend be
backend be
  balance leastconn
  server b1 127.0.0.1:$B1
  server b2 127.0.0.1:$B2
  server b3 127.0.0.1:$B3
CFG
  start "$1" "$HAPROXY" -f "$d/haproxy.cfg" -db
  wait_ok "http://127.0.0.1:$2/"
}

# ---- measurement helpers ----
CLK=$(getconf CLK_TCK)
cpu_ticks() { # pids... (children included) -> utime+stime ticks
  local t=0 p
  for p in "$@" $(for q in "$@"; do ps -o pid= --ppid "$q" 2>/dev/null || true; done); do
    [[ -r /proc/$p/stat ]] && t=$((t + $(sed 's/^.*) //' "/proc/$p/stat" | awk '{print $12 + $13}')))
  done
  echo "$t"
}
to_ms() { awk -v v="$1" 'BEGIN { if (v ~ /us$/) { sub(/us$/,"",v); print v/1000 } else if (v ~ /ms$/) { sub(/ms$/,"",v); print v+0 } else if (v ~ /s$/) { sub(/s$/,"",v); print v*1000 } else print v }'; }
parse_wrk() { # file -> "rps p50 p99 p999 non2xx requests seconds"
  local f=$1 rps p50 p99 p999 bad req secs
  rps=$(awk '/^Requests\/sec:/ {print $2}' "$f")
  p50=$(to_ms "$(awk '$1=="50%" {print $2}' "$f")")
  p99=$(to_ms "$(awk '$1=="99%" {print $2}' "$f")")
  p999=$(awk '$1=="P999_US" {printf "%.3f", $2/1000}' "$f")
  bad=$(awk '/Non-2xx or 3xx responses:/ {print $5}' "$f"); bad=${bad:-0}
  read -r req secs < <(awk '/requests in/ {r=$1; s=$4; sub(/,$/,"",s); print r, s}' "$f")
  secs=$(to_ms "$secs"); secs=$(awk -v m="$secs" 'BEGIN {print m/1000}')
  echo "${rps:-0} ${p50:-0} ${p99:-0} ${p999:-0} $bad ${req:-0} $secs"
}
WRK_HDR=(-H 'X-Client-ID: bench')
measure() { # name url pids... -> "rps p50 p99 p999 non2xx cpu_s_per_100k"
  local name=$1 url=$2; shift 2
  wrk -t2 -c"$connections" -d"${warmup}s" "${WRK_HDR[@]}" "$url" >"$work/wrk-$name-warm.txt" 2>&1
  local t0 t1; t0=$(cpu_ticks "$@")
  wrk -t2 -c"$connections" -d"${duration}s" --latency -s "$here/p999.lua" "${WRK_HDR[@]}" "$url" >"$work/wrk-$name.txt" 2>&1
  t1=$(cpu_ticks "$@")
  cp "$work/wrk-$name.txt" "$raw/wrk-$name.txt"
  local r; r=$(parse_wrk "$work/wrk-$name.txt")
  awk -v r="$r" -v d="$((t1 - t0))" -v clk="$CLK" 'BEGIN { split(r, a, " "); cpu = (a[6] > 0 && d >= 0) ? d / clk / a[6] * 100000 : 0;
    printf "%s %s %s %s %s %.3f\n", a[1], a[2], a[3], a[4], a[5], cpu }'
}

stamp=$(date -u +%Y-%m-%dT%H-%M-%SZ)
mkdir -p bench/results
raw=$work/raw; mkdir -p "$raw"
declare -A res labels
names=() 
run_case() { # key label url pids...
  local key=$1 label=$2 url=$3; shift 3
  echo "==> $label: warm-up ${warmup}s, measuring ${duration}s"
  res[$key]=$(measure "$key" "$url" "$@")
  names+=("$key|$label")
  echo "    $(awk '{printf "%.0f req/s  p50 %.2f ms  p99 %.2f ms  p99.9 %.2f ms  non2xx %s  cpu %.3f s/100k", $1,$2,$3,$4,$5,$6}' <<<"${res[$key]}")"
}

B1_PID=${pids[0]}
if [[ $profile == 1 ]]; then
  command -v perf >/dev/null || { echo "--profile needs perf (Debian package linux-perf)" >&2; exit 1; }
  SILO_PID=${pids[6]}
  report="bench/results/profile-$stamp.md"
  {
    echo "# bench/peers --profile ($stamp)"
    echo
    echo "wrk -t2 -c$connections, ${warmup}s warm-up then ${duration}s measured per proxy, DOTNET_TieredPGO=0, DOTNET_PerfMapEnabled=1;"
    echo "$(nproc) cores shared by every process. CPU µs per request = utime+stime over the window ÷ requests."
    echo
    echo "| proxy | req/s | proxy µs/req | silo µs/req | backends µs/req | total µs/req (wrk not counted) |"
    echo "| --- | ---: | ---: | ---: | ---: | ---: |"
  } >"$report"
  perf_out=$work/perf; mkdir -p "$perf_out"
  for spec in "yarp|plain YARP 2.3|$YARP|$YARP_PID" "exact|Granary exact|$GW1|$GW1_PID" "batched|Granary batched|$GW3|$GW3_PID"; do
    IFS='|' read -r key label port pid <<<"$spec"
    echo "==> profile $label: warm-up ${warmup}s, then ${duration}s with perf on pid $pid"
    wrk -t2 -c"$connections" -d"${warmup}s" "${WRK_HDR[@]}" "http://127.0.0.1:$port/" >/dev/null 2>&1
    p0=$(cpu_ticks "$pid"); s0=$(cpu_ticks "$SILO_PID"); b0=$(cpu_ticks "${pids[0]}" "${pids[1]}" "${pids[2]}")
    wrk -t2 -c"$connections" -d"${duration}s" "${WRK_HDR[@]}" "http://127.0.0.1:$port/" >"$work/wrk-prof-$key.txt" 2>&1 &
    wrk_pid=$!
    perf record -q --no-buildid -F 499 -g -p "$pid" -o "$perf_out/$key.data" -- sleep "$((duration - 1))" >/dev/null 2>&1 || true
    wait "$wrk_pid"
    p1=$(cpu_ticks "$pid"); s1=$(cpu_ticks "$SILO_PID"); b1=$(cpu_ticks "${pids[0]}" "${pids[1]}" "${pids[2]}")
    read -r rps _ _ _ _ req _ < <(parse_wrk "$work/wrk-prof-$key.txt")
    awk -v l="$label" -v r="$rps" -v n="$req" -v clk="$CLK" -v p=$((p1 - p0)) -v s=$((s1 - s0)) -v b=$((b1 - b0)) \
      'BEGIN { f = 1e6 / clk / n; printf "| %s | %.0f | %.1f | %.1f | %.1f | %.1f |\n", l, r, p*f, s*f, b*f, (p+s+b)*f }' >>"$report"
    # Self time by module and by symbol (top 25), from the proxy's samples (head closes the pipe early: no pipefail).
    set +o pipefail
    { echo; echo "## $label: self time by assembly (JIT-compiled .NET code) or module"; echo; echo '```'
      # A .NET frame reads "[.] <return type> [Assembly] Namespace.Type::Method(...)": sum by its first [Assembly].
      perf report -i "$perf_out/$key.data" --no-children -g none --sort dso,sym --stdio 2>/dev/null | grep -E '^ +[0-9]' |
        awk '{ pct = $1; sub(/%/, "", pct); name = $2
               if ($0 ~ /\[k\]/) name = "kernel"
               else if (match($0, /\[\.\] [^[]*\[[A-Za-z][A-Za-z0-9_.]*\]/)) { m = substr($0, RSTART, RLENGTH); sub(/.*\[/, "", m); sub(/\]$/, "", m); name = m }
               by[name] += pct }
             END { for (n in by) printf "%7.2f%%  %s\n", by[n], n }' | sort -rn | head -30
      echo '```'; echo; echo "## $label: self time by symbol (top 25)"; echo; echo '```'
      perf report -i "$perf_out/$key.data" --no-children -g none --sort sym --stdio 2>/dev/null | grep -E '^ +[0-9]' | head -25 | cut -c1-160
      echo '```'; } >"$perf_out/$key.md"
    set -o pipefail
  done
  cat "$perf_out"/yarp.md "$perf_out"/exact.md "$perf_out"/batched.md >>"$report"
  echo "(written $report)"
  cat "$report"
  exit 0
fi
run_case direct "direct to one backend (ceiling)" "http://127.0.0.1:$B1/" "$B1_PID"
for w in 1 2; do
  start_nginx "nginx$w" $NGX "$w" fast; p=$last_pid
  run_case "nginx$w" "nginx least_conn ($w worker$([[ $w == 1 ]] || echo s))" "http://127.0.0.1:$NGX/" "$p"
  stop_pid "$p"; forget "$p"
done
for t in 1 2; do
  start_haproxy "haproxy$t" $HAP "$t"; p=$last_pid
  run_case "haproxy$t" "HAProxy leastconn (nbthread $t)" "http://127.0.0.1:$HAP/" "$p"
  stop_pid "$p"; forget "$p"
done
# The three .NET proxies: $rounds interleaved rounds (YARP, exact, batched, YARP, ...), each row the
# round with the median requests/s, so a slow moment of the machine hits every proxy alike.
# Messages the gateway's Orleans client sent (grain calls; the client sends no other messages), from Orleans's own meter.
grain_calls() { curl -fsS "http://127.0.0.1:$1/metrics" | awk '$1 ~ /^orleans_messaging_sent_messages_size_bytes_count/ { s += $NF } END { printf "%.0f", s }'; }
gateway_requests() { curl -fsS "http://127.0.0.1:$1/metrics" | awk '$1 ~ /^granary_gateway_requests_total/ { s += $NF } END { printf "%.0f", s }'; }
declare -A calls_per_request rounds_of
c0_exact=$(grain_calls "$GW1"); r0_exact=$(gateway_requests "$GW1"); c0_batched=$(grain_calls "$GW3"); r0_batched=$(gateway_requests "$GW3")
for r in $(seq 1 "$rounds"); do
  echo "==> .NET proxies, round $r of $rounds"
  for spec in "yarp|plain YARP 2.3 LeastRequests|$YARP|$YARP_PID" \
              "granary|Granary exact (LeastConnections + rate limit)|$GW1|$GW1_PID" \
              "batched|Granary batched (leases + 20 ms batches)|$GW3|$GW3_PID"; do
    IFS='|' read -r key label port pid <<<"$spec"
    echo "==> $label (round $r): warm-up ${warmup}s, measuring ${duration}s"
    out=$(measure "$key-r$r" "http://127.0.0.1:$port/" "$pid")
    rounds_of[$key]+="$out"$'\n'
    echo "    $(awk '{printf "%.0f req/s  p50 %.2f ms  p99 %.2f ms  p99.9 %.2f ms  non2xx %s  cpu %.3f s/100k", $1,$2,$3,$4,$5,$6}' <<<"$out")"
    labels[$key]=$label
  done
done
for key in yarp granary batched; do
  # The median round by requests/s (the middle one of an odd count, the lower middle of an even one).
  res[$key]=$(printf '%s' "${rounds_of[$key]}" | sort -n -k1,1 | awk -v n="$rounds" 'NF { rows[++i] = $0 } END { print rows[int((n + 1) / 2)] }')
  names+=("$key|${labels[$key]}")
done
c1_exact=$(grain_calls "$GW1"); r1_exact=$(gateway_requests "$GW1"); c1_batched=$(grain_calls "$GW3"); r1_batched=$(gateway_requests "$GW3")
calls_per_request[granary]=$(awk -v c=$((c1_exact - c0_exact)) -v r=$((r1_exact - r0_exact)) 'BEGIN { printf "%.3f", (r > 0 ? c / r : 0) }')
calls_per_request[batched]=$(awk -v c=$((c1_batched - c0_batched)) -v r=$((r1_batched - r0_batched)) 'BEGIN { printf "%.3f", (r > 0 ? c / r : 0) }')
echo "    grain calls per request: exact ${calls_per_request[granary]}, batched ${calls_per_request[batched]}"

# ---- consistency head-to-head ----
pair() { # name urlA urlB lua client -> files $work/wrk-<name>-a.txt / -b.txt
  local name=$1 a=$2 b=$3 lua=$4 client=$5
  wrk -t1 -c16 -d"${pair_duration}s" --latency -s "$here/$lua" -H "X-Client-ID: $client" "$a" >"$work/wrk-$name-a.txt" 2>&1 &
  local wa=$!
  wrk -t1 -c16 -d"${pair_duration}s" --latency -s "$here/$lua" -H "X-Client-ID: $client" "$b" >"$work/wrk-$name-b.txt" 2>&1 &
  local wb=$!
  wait "$wa" "$wb"
  cp "$work/wrk-$name-a.txt" "$work/wrk-$name-b.txt" "$raw/"
}
admitted() { # name -> "admitted_per_s total_per_s" over both wrk processes
  local a b; a=$(parse_wrk "$work/wrk-$1-a.txt"); b=$(parse_wrk "$work/wrk-$1-b.txt")
  awk -v a="$a" -v b="$b" 'BEGIN { split(a, x, " "); split(b, y, " ");
    printf "%.1f %.0f", (x[6]-x[5])/x[7] + (y[6]-y[5])/y[7], x[6]/x[7] + y[6]/y[7] }'
}
shares() { # name -> "s1% s2% s3% p99_ms(worse side) rps"
  local f1="$work/wrk-$1-a.txt" f2="$work/wrk-$1-b.txt" a b
  a=$(parse_wrk "$f1"); b=$(parse_wrk "$f2")
  awk -v a="$a" -v b="$b" '$1=="BACKEND" { c[$2] += $3; t += $3 }
    END { split(a, x, " "); split(b, y, " "); p = (x[3] > y[3] ? x[3] : y[3]);
      printf "%.1f %.1f %.1f %.2f %.0f", 100*c["s1"]/t, 100*c["s2"]/t, 100*c["s3"]/t, p, x[1] + y[1] }' "$f1" "$f2"
}
start_nginx nginxA $NGXA 1 pair; NA=$last_pid
start_nginx nginxB $NGXB 1 pair; NB=$last_pid
echo "==> consistency (a): client limited to 100 req/s, traffic split over two instances, ${pair_duration}s each"
# Drain the burst (token bucket capacity 100 / nginx burst) first so the window measures the steady rate.
wrk -t1 -c4 -d2s -H 'X-Client-ID: limited' "http://127.0.0.1:$NGXA/rl/" >/dev/null 2>&1
pair rl-nginx "http://127.0.0.1:$NGXA/rl/" "http://127.0.0.1:$NGXB/rl/" p999.lua limited
wrk -t1 -c4 -d2s -H 'X-Client-ID: limited' "http://127.0.0.1:$GW1/rl/" >/dev/null 2>&1
fb0=$(for p in $GW1 $GW2; do curl -fsS "http://127.0.0.1:$p/metrics"; done | awk '$1 ~ /^granary_gateway_fallback_decisions_total({|$)/ { s += $NF } END { printf "%.0f", s }')
pair rl-granary "http://127.0.0.1:$GW1/rl/" "http://127.0.0.1:$GW2/rl/" p999.lua limited
fb1=$(for p in $GW1 $GW2; do curl -fsS "http://127.0.0.1:$p/metrics"; done | awk '$1 ~ /^granary_gateway_fallback_decisions_total({|$)/ { s += $NF } END { printf "%.0f", s }')
# Batched: a different client (its own bucket, also 100 req/s), drained the same way.
wrk -t1 -c4 -d2s -H 'X-Client-ID: limited-b' "http://127.0.0.1:$GW3/rl/" >/dev/null 2>&1
pair rl-batched "http://127.0.0.1:$GW3/rl/" "http://127.0.0.1:$GW4/rl/" p999.lua limited-b
rl_nginx=$(admitted rl-nginx); rl_granary=$(admitted rl-granary); rl_batched=$(admitted rl-batched)
echo "    nginx x2 limit_req: $rl_nginx (admitted/s offered/s);  Granary x2 exact: $rl_granary; batched: $rl_batched; Granary local-fallback decisions (exact pair): $((fb1 - fb0))"
echo "==> consistency (b): backends 2/2/20 ms, traffic split over two instances, ${pair_duration}s each"
wrk -t2 -c32 -d3s "http://127.0.0.1:$NGXA/lb/" >/dev/null 2>&1
pair lb-nginx "http://127.0.0.1:$NGXA/lb/" "http://127.0.0.1:$NGXB/lb/" backends.lua bench
wrk -t2 -c32 -d3s -H 'X-Client-ID: bench' "http://127.0.0.1:$GW1/lb/" >/dev/null 2>&1
pair lb-granary "http://127.0.0.1:$GW1/lb/" "http://127.0.0.1:$GW2/lb/" backends.lua bench
wrk -t2 -c32 -d3s -H 'X-Client-ID: bench' "http://127.0.0.1:$GW3/lb/" >/dev/null 2>&1
pair lb-batched "http://127.0.0.1:$GW3/lb/" "http://127.0.0.1:$GW4/lb/" backends.lua bench
lb_nginx=$(shares lb-nginx); lb_granary=$(shares lb-granary); lb_batched=$(shares lb-batched)
echo "    nginx x2 least_conn: $lb_nginx (s1% s2% s3% p99_ms req/s);  Granary x2 exact: $lb_granary; batched: $lb_batched"
stop_pid "$NA"; forget "$NA"; stop_pid "$NB"; forget "$NB"

# ---- report ----
csv=bench/results/peers-$stamp.csv md=bench/results/peers-$stamp.md svg=bench/results/peers-$stamp.svg
yrps=$(awk '{print $1}' <<<"${res[yarp]}"); yp99=$(awk '{print $3}' <<<"${res[yarp]}")
{
  echo "proxy,rps,p50_ms,p99_ms,p999_ms,cpu_s_per_100k,rps_ratio_to_yarp,p99_ratio_to_yarp,non2xx"
  for n in "${names[@]}"; do
    key=${n%%|*} label=${n#*|}
    if [[ -z ${res[$key]:-} ]]; then echo "\"$label\",n/a (not implemented),,,,,n/a,n/a,"; continue; fi
    awk -v l="$label" -v yr="$yrps" -v yp="$yp99" '{ printf "\"%s\",%.0f,%.3f,%.3f,%.3f,%.3f,%.3f,%.3f,%s\n", l, $1, $2, $3, $4, $6, $1/yr, $3/yp, $5 }' <<<"${res[$key]}"
  done
} >"$csv"
host="$(nproc) cores, load avg $(cut -d' ' -f1-3 /proc/loadavg) at the end"
{
  echo "# bench/peers ($stamp)"
  echo
  echo "wrk -t2 -c$connections, ${warmup}s warm-up then ${duration}s measured per proxy; 3 demo backends (latency 0) on 127.0.0.1;"
  echo ".NET proxies with DOTNET_TieredPGO=0; nginx $("$NGINX" -v 2>&1 | sed 's/.*nginx\///'), HAProxy $("$HAPROXY" -v | awk 'NR==1 {print $3}'); $host."
  echo "CPU = utime+stime of the proxy process(es) (nginx/HAProxy: master + workers) during the measured window."
  echo "YARP and the two Granary rows: $rounds interleaved rounds (YARP, exact, batched, YARP, …), each row the round with the median req/s."
  echo
  printf '| %-46s | %9s | %7s | %7s | %8s | %13s | %7s | %7s |\n' proxy "req/s" "p50 ms" "p99 ms" "p99.9 ms" "CPU s/100k req" "rps/YARP" "p99/YARP"
  echo "|------------------------------------------------|-----------|---------|---------|----------|---------------|---------|---------|"
  tail -n +2 "$csv" | while IFS=, read -r l rps p50 p99 p999 cpu rr pr bad; do
    l=${l//\"/}
    if [[ $rr == n/a ]]; then printf '| %-46s | %9s | %7s | %7s | %8s | %13s | %7s | %7s |\n' "$l" "n/a (not implemented)" "" "" "" "" "" ""; continue; fi
    printf '| %-46s | %9s | %7.2f | %7.2f | %8.2f | %13.3f | %7.2f | %7.2f |\n' "$l" "$rps" "$p50" "$p99" "$p999" "$cpu" "$rr" "$pr"
  done
  echo
  echo "Grain calls per proxied request (messages sent by the gateway's Orleans client, orleans_messaging_sent_messages_size_bytes_count, over its warm-up and window): exact ${calls_per_request[granary]}, batched ${calls_per_request[batched]}."
  echo
  echo "## Consistency head-to-head (${pair_duration}s, two wrk -t1 -c16 at once, one per instance)"
  echo
  echo "(a) one client limited to 100 req/s (nginx: limit_req rate=100r/s burst=5 nodelay per instance, keyed on X-Client-ID;"
  echo "Granary: client capacity 100, rate 100/s). Bucket drained for 2 s before the window."
  echo
  echo "| pair | admitted req/s (200) | offered req/s | admitted / limit |"
  echo "|---|---|---|---|"
  read -r an ao <<<"$rl_nginx"; read -r ag ao2 <<<"$rl_granary"
  awk -v a="$an" -v o="$ao" 'BEGIN { printf "| 2 × nginx limit_req | %.1f | %.0f | %.2f |\n", a, o, a/100 }'
  awk -v a="$ag" -v o="$ao2" 'BEGIN { printf "| 2 × Granary gateway (exact) | %.1f | %.0f | %.2f |\n", a, o, a/100 }'
  read -r ab ao3 <<<"$rl_batched"
  awk -v a="$ab" -v o="$ao3" 'BEGIN { printf "| 2 × Granary gateway (batched; a lease ≤ capacity ÷ 4 = 25 tokens) | %.1f | %.0f | %.2f |\n", a, o, a/100 }'
  echo
  echo "Granary local-fallback decisions during (a): $((fb1 - fb0)) (0 = every decision came from the shared client grain)."
  echo
  echo "(b) backends s1, s2 at 2 ms, s3 at 20 ms (10× slower); least connections on each side."
  echo
  echo "| pair | s1 share | s2 share | s3 (slow) share | p99 ms (worse side) | req/s (sum) |"
  echo "|---|---|---|---|---|---|"
  read -r a1 a2 a3 ap ar <<<"$lb_nginx"; echo "| 2 × nginx least_conn | $a1% | $a2% | $a3% | $ap | $ar |"
  read -r a1 a2 a3 ap ar <<<"$lb_granary"; echo "| 2 × Granary gateway (exact) | $a1% | $a2% | $a3% | $ap | $ar |"
  read -r a1 a2 a3 ap ar <<<"$lb_batched"; echo "| 2 × Granary gateway (batched, 20 ms) | $a1% | $a2% | $a3% | $ap | $ar |"
} | tee "$md"
python3 "$here/chart.py" "$csv" "$svg" "wrk -c$connections, ${duration}s, $stamp, $host"
cp "$svg" bench/results/peers-latest.svg
mkdir -p "bench/results/peers-$stamp-raw" && cp "$raw"/* "bench/results/peers-$stamp-raw/"
echo "(written $csv, $md, $svg, bench/results/peers-latest.svg, raw wrk output in bench/results/peers-$stamp-raw/)"
