#!/usr/bin/env bash
# Granary local profile: builds once (Release), then runs 1 silo, N gateways and N demo backends
# on 127.0.0.1 in the foreground until Ctrl-C / SIGTERM. `./run.sh --silos N` runs N silos on a
# private PostgreSQL server instead (membership, grain state, client registry), so a silo can be
# killed by hand. `./run.sh demo` renders a Mandelbrot image through the running gateways.
# `./run.sh --help` for the options.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
RUN_DIR="$ROOT/.run"
LOG_DIR="$RUN_DIR/logs"
# GRANARY_ARTIFACTS: where the build output is (default ./artifacts); with --no-build it may point elsewhere.
BIN="${GRANARY_ARTIFACTS:-$ROOT/artifacts}/bin"
STATE_FILE="$RUN_DIR/cluster.env"

SILO_PORT=11111          # Orleans silo-to-silo port (+i)
SILO_GATEWAY_PORT=30000  # Orleans gateway port the gateways connect to (+i)
SILO_HTTP_PORT=9090
GATEWAY_BASE_PORT=8080
BACKEND_BASE_PORT=5001
HEALTH_DEADLINE_S=30
STOP_GRACE_S=10
# --silos: the private PostgreSQL server's data directory (kept between runs: grain state and client
# limits survive a restart of the cluster; delete it for a clean slate) and its first candidate port.
PG_DIR="$RUN_DIR/pg"
PG_BASE_PORT=25433
PG_SCRIPT="$ROOT/deploy/pg-local.sh"

usage() {
  cat <<'EOF'
Usage:
  ./run.sh [options]          build (Release) and run the local cluster in the foreground
  ./run.sh demo [options]     render a Mandelbrot image through the running gateways

Cluster options:
  --silos N                   N silos (1..10) on a private PostgreSQL server (Orleans membership,
                              grain state, client registry): silo ports 11111, 11112, ..., Orleans
                              gateway ports 30000, 30001, ..., HTTP 9090, 9091, ...; kill one (its
                              pid is printed) and watch the others take over; run.sh restarts it.
                              Without --silos: one silo on Orleans's development clustering, state
                              in memory.
  --gateways N                gateways on ports 8080, 8081, ... (default 2)
  --backends N                demo backends b1..bN on ports 5001, 5002, ... (default 3)
  --backend-latency-ms a,b,c  fixed latency added by each backend, ms (missing entries 0)
  --policy NAME               balancing policy of the cluster: RoundRobin, LeastConnections,
                              PowerOfTwoChoices, Random, LeastTime, ConsistentHash
                              (default LeastConnections, as in the gateway's appsettings.json)
  --no-build                  skip building the silo, gateway and demo projects (Release)
  -h, --help                  this text

  Ports: silo-to-silo 11111 (+i), Orleans gateway 30000 (+i), silo HTTP 9090 (+i)
  (/healthz /metrics /clients /api/... /dashboard /orleans).
  Logs: .run/logs/<name>.log. Ctrl-C or SIGTERM stops every process started here.
  With --silos: PostgreSQL (deploy/pg-local.sh, installed if missing) keeps its data in .run/pg
  (delete it for a clean slate), listens on a free port from 25433 on, and stops with the cluster.

Demo options (everything else is passed to the demo client; see `./run.sh demo --help`):
  --rate-limit CAP,RATE       set the demo client's limits on the silo first
                              (capacity in tokens, refill in tokens/s; default 1000,1000;
                              `none` leaves the registry alone, e.g. to watch 429s)
  --gateways URL,URL          default: the gateways of the running cluster
  --out PATH                  default: .run/mandelbrot.png

Examples:
  ./run.sh --backends 3 --backend-latency-ms 0,0,50 --policy LeastConnections
  ./run.sh --silos 3                                 (then: kill <pid of a silo>, see the banner)
  curl -i -H 'X-Client-ID: me' http://127.0.0.1:8080/
  ./run.sh demo --rate-limit 40,20 --concurrency 32
EOF
}

die() { echo "run.sh: $*" >&2; exit 1; }

need() { command -v "$1" >/dev/null 2>&1 || die "'$1' is required but not installed."; }

is_uint() { [[ "$1" =~ ^[0-9]+$ ]]; }

# True when something accepts TCP connections on 127.0.0.1:$1.
port_busy() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }

dll_of() { echo "$BIN/$1/release/$1.dll"; }

# ---------------------------------------------------------------------------------------------
# ./run.sh demo
# ---------------------------------------------------------------------------------------------
run_demo() {
  need curl
  need dotnet
  local client_dll rate_limit="1000,1000" client_id="demo" gateways="" out="$RUN_DIR/mandelbrot.png"
  local silo_http="http://127.0.0.1:$SILO_HTTP_PORT"
  local -a pass=()
  client_dll="$(dll_of Granary.Samples.DemoClient)"
  [[ -f "$client_dll" ]] || die "$client_dll not found; run ./run.sh first (it builds everything)."

  if [[ -f "$STATE_FILE" ]]; then
    # shellcheck disable=SC1090
    source "$STATE_FILE"
    gateways="${GRANARY_GATEWAYS:-}"
    silo_http="${GRANARY_SILO_HTTP:-$silo_http}"
  fi
  [[ -n "$gateways" ]] || gateways="http://127.0.0.1:8080,http://127.0.0.1:8081"

  while (($#)); do
    case "$1" in
      --rate-limit) [[ $# -ge 2 ]] || die "--rate-limit needs a value"; rate_limit="$2"; shift 2 ;;
      --rate-limit=*) rate_limit="${1#*=}"; shift ;;
      --gateways) [[ $# -ge 2 ]] || die "--gateways needs a value"; gateways="$2"; shift 2 ;;
      --gateways=*) gateways="${1#*=}"; shift ;;
      --out) [[ $# -ge 2 ]] || die "--out needs a value"; out="$2"; shift 2 ;;
      --out=*) out="${1#*=}"; shift ;;
      --client-id) [[ $# -ge 2 ]] || die "--client-id needs a value"; client_id="$2"; shift 2 ;;
      --client-id=*) client_id="${1#*=}"; shift ;;
      -h|--help) dotnet "$client_dll" --help; return 0 ;;
      *) pass+=("$1"); shift ;;
    esac
  done

  local first_gateway="${gateways%%,*}"
  curl -fsS -o /dev/null --max-time 2 "${first_gateway%/}/healthz" 2>/dev/null \
    || die "no gateway answers at $first_gateway; start the cluster with ./run.sh (in another shell) first."

  if [[ "$rate_limit" != "none" ]]; then
    [[ "$rate_limit" =~ ^([0-9]+),([0-9]+(\.[0-9]+)?)$ ]] || die "--rate-limit must be CAPACITY,RATE (e.g. 1000,1000) or none"
    local body status capacity="${BASH_REMATCH[1]}" rate="${BASH_REMATCH[2]}"
    body="{\"client_id\":\"$client_id\",\"capacity\":$capacity,\"rate_per_sec\":$rate}"
    # The silos inherit Granary__Silo__AdminKey from this environment when it is set: send it too
    # (from a file descriptor, so the key never shows in the process list).
    local -a auth=()
    [[ -n "${Granary__Silo__AdminKey:-}" ]] && auth=(-H "@/dev/fd/3")
    status="$(curl -sS -o /dev/null -w '%{http_code}' --max-time 5 -X POST -H 'Content-Type: application/json' "${auth[@]}" \
      --data "$body" "$silo_http/clients" 3< <(printf 'X-Admin-Key: %s\n' "${Granary__Silo__AdminKey:-}") 2>/dev/null || true)"
    if [[ "$status" == "409" ]]; then
      status="$(curl -sS -o /dev/null -w '%{http_code}' --max-time 5 -X PUT -H 'Content-Type: application/json' "${auth[@]}" \
        --data "$body" "$silo_http/clients/$client_id" 3< <(printf 'X-Admin-Key: %s\n' "${Granary__Silo__AdminKey:-}") 2>/dev/null || true)"
    fi
    if [[ "$status" =~ ^2 ]]; then
      echo "Client '$client_id' limits: capacity $capacity tokens, $rate tokens/s (silo $silo_http)."
    else
      echo "run.sh: could not set limits of client '$client_id' on $silo_http (HTTP ${status:-none}); using whatever the silo has." >&2
    fi
  fi

  mkdir -p "$(dirname "$out")"
  exec dotnet "$client_dll" --gateways "$gateways" --client-id "$client_id" --out "$out" ${pass[@]+"${pass[@]}"}
}

if [[ "${1:-}" == "demo" ]]; then
  shift
  run_demo "$@"
  exit $?
fi

# ---------------------------------------------------------------------------------------------
# ./run.sh (the cluster)
# ---------------------------------------------------------------------------------------------
GATEWAYS=2
BACKENDS=3
LATENCIES=""
POLICY=""
BUILD=1
SILOS=""   # empty: one in-memory silo (the default profile); N: N silos on PostgreSQL
while (($#)); do
  case "$1" in
    --silos) [[ $# -ge 2 ]] || die "--silos needs a value"; SILOS="$2"; shift 2 ;;
    --silos=*) SILOS="${1#*=}"; shift ;;
    --gateways) [[ $# -ge 2 ]] || die "--gateways needs a value"; GATEWAYS="$2"; shift 2 ;;
    --gateways=*) GATEWAYS="${1#*=}"; shift ;;
    --backends) [[ $# -ge 2 ]] || die "--backends needs a value"; BACKENDS="$2"; shift 2 ;;
    --backends=*) BACKENDS="${1#*=}"; shift ;;
    --backend-latency-ms) [[ $# -ge 2 ]] || die "--backend-latency-ms needs a value"; LATENCIES="$2"; shift 2 ;;
    --backend-latency-ms=*) LATENCIES="${1#*=}"; shift ;;
    --policy) [[ $# -ge 2 ]] || die "--policy needs a value"; POLICY="$2"; shift 2 ;;
    --policy=*) POLICY="${1#*=}"; shift ;;
    --no-build) BUILD=0; shift ;;
    -h|--help) usage; exit 0 ;;
    *) echo "run.sh: unknown option '$1'" >&2; usage >&2; exit 2 ;;
  esac
done

{ is_uint "$GATEWAYS" && ((GATEWAYS >= 1 && GATEWAYS <= 20)); } || die "--gateways must be 1..20, got '$GATEWAYS'"
[[ -z "$SILOS" ]] || { is_uint "$SILOS" && ((SILOS >= 1 && SILOS <= 10)); } || die "--silos must be 1..10, got '$SILOS'"
USE_PG=0
SILO_COUNT=1
if [[ -n "$SILOS" ]]; then
  USE_PG=1
  SILO_COUNT=$((10#$SILOS))
fi
{ is_uint "$BACKENDS" && ((BACKENDS >= 1 && BACKENDS <= 50)); } || die "--backends must be 1..50, got '$BACKENDS'"
[[ -z "$POLICY" || "$POLICY" =~ ^[A-Za-z0-9]+$ ]] || die "--policy must be a policy name, got '$POLICY'"
LATENCY=()
if [[ -n "$LATENCIES" ]]; then
  IFS=',' read -r -a LATENCY <<<"$LATENCIES"
  for l in "${LATENCY[@]}"; do
    [[ -z "$l" ]] || is_uint "$l" || die "--backend-latency-ms takes integers separated by commas, got '$LATENCIES'"
  done
  ((${#LATENCY[@]} <= BACKENDS)) || die "--backend-latency-ms has ${#LATENCY[@]} entries for $BACKENDS backends"
fi

need dotnet
need curl
((USE_PG == 0)) || [[ -x "$PG_SCRIPT" ]] || die "$PG_SCRIPT not found or not executable."

# Every port this profile needs must be free before anything starts.
PORTS=()
for ((i = 0; i < SILO_COUNT; i++)); do PORTS+=($((SILO_PORT + i)) $((SILO_GATEWAY_PORT + i)) $((SILO_HTTP_PORT + i))); done
for ((i = 0; i < GATEWAYS; i++)); do PORTS+=($((GATEWAY_BASE_PORT + i))); done
for ((i = 0; i < BACKENDS; i++)); do PORTS+=($((BACKEND_BASE_PORT + i))); done
busy=()
for p in "${PORTS[@]}"; do
  if port_busy "$p"; then busy+=("$p"); fi
done
if ((${#busy[@]})); then
  echo "run.sh: port(s) already in use on 127.0.0.1: ${busy[*]}" >&2
  echo "        (another ./run.sh? find the owners with: ss -ltnp | grep -E ':($(IFS='|'; echo "${busy[*]}"))\\b')" >&2
  exit 1
fi

if ((BUILD)); then
  # Only what runs here (not the tests or benchmarks), one project at a time so progress shows.
  RUN_PROJECTS=(src/Silo/Granary.Silo.csproj src/Gateway/Granary.Gateway.csproj
    samples/DemoBackend/Granary.Samples.DemoBackend.csproj samples/DemoClient/Granary.Samples.DemoClient.csproj)
  build_started=$SECONDS
  for ((k = 0; k < ${#RUN_PROJECTS[@]}; k++)); do
    project=${RUN_PROJECTS[k]}
    printf 'Building [%d/%d] %s (Release) ... ' $((k + 1)) ${#RUN_PROJECTS[@]} "$(basename "$project" .csproj)"
    step_started=$SECONDS
    mkdir -p "$RUN_DIR"
    if ! dotnet build -c Release "$ROOT/$project" ${GRANARY_ARTIFACTS:+"-p:ArtifactsPath=$GRANARY_ARTIFACTS"} -nologo -v quiet >"$RUN_DIR/build.log" 2>&1; then
      echo "failed"
      grep -E ': (error|warning) ' "$RUN_DIR/build.log" | sort -u >&2 || cat "$RUN_DIR/build.log" >&2
      die "build of $project failed (errors above; full output in .run/build.log)."
    fi
    echo "$((SECONDS - step_started)) s"
  done
  echo "Built in $((SECONDS - build_started)) s."
fi

SILO_DLL="$(dll_of Granary.Silo)"
GATEWAY_DLL="$(dll_of Granary.Gateway)"
BACKEND_DLL="$(dll_of Granary.Samples.DemoBackend)"
for dll in "$SILO_DLL" "$GATEWAY_DLL" "$BACKEND_DLL"; do
  [[ -f "$dll" ]] || die "$dll not found (did the build succeed?)."
done

mkdir -p "$LOG_DIR"
rm -f "$STATE_FILE"

# ---- process bookkeeping --------------------------------------------------------------------
NAMES=()   # name of each child, same index as PIDS
PIDS=()    # pid of each child's dotnet process (shown in the banner; signalled to stop it)
WATCHERS=() # pid of the subshell that waits for it (see spawn)
HEALTH=()  # /healthz URL of each child
CMDS=()    # command line of each child (shell-quoted), to restart one by hand
STOPPING=0
PID_DIR="$RUN_DIR/pids"
mkdir -p "$PID_DIR"

# stop_some NAME_REGEX: SIGTERM the matching children, wait up to STOP_GRACE_S, then SIGKILL.
stop_some() {
  local regex="$1" i deadline alive
  for ((i = 0; i < ${#PIDS[@]}; i++)); do
    [[ -n "${PIDS[i]}" && "${NAMES[i]}" =~ $regex ]] && kill -TERM "${PIDS[i]}" 2>/dev/null || true
  done
  deadline=$((SECONDS + STOP_GRACE_S))
  while :; do
    alive=0
    for ((i = 0; i < ${#PIDS[@]}; i++)); do
      if [[ -n "${PIDS[i]}" && "${NAMES[i]}" =~ $regex ]] && kill -0 "${PIDS[i]}" 2>/dev/null; then alive=1; fi
    done
    ((alive)) || break
    if ((SECONDS >= deadline)); then
      for ((i = 0; i < ${#PIDS[@]}; i++)); do
        if [[ -n "${PIDS[i]}" && "${NAMES[i]}" =~ $regex ]] && kill -0 "${PIDS[i]}" 2>/dev/null; then
          echo "  ${NAMES[i]} (pid ${PIDS[i]}) did not stop within ${STOP_GRACE_S} s; killing it." >&2
          kill -KILL "${PIDS[i]}" 2>/dev/null || true
        fi
      done
      break
    fi
    sleep 0.2
  done
  for ((i = 0; i < ${#PIDS[@]}; i++)); do
    if [[ -n "${PIDS[i]}" && "${NAMES[i]}" =~ $regex ]]; then
      wait "${WATCHERS[i]}" 2>/dev/null || true
      PIDS[i]=""
    fi
  done
}

# Gateways first (they drain and hand their final in-flight reports to the silo), then the silos
# (they flush grain state and leave membership), then the backends, then PostgreSQL.
stop_all() {
  stop_some '^gw'
  stop_some '^silo'
  stop_some '.'
  stop_pg
  rm -f "$STATE_FILE"
}

PG_STARTED=0
stop_pg() {
  if ((PG_STARTED)); then
    PG_STARTED=0
    echo "  stopping PostgreSQL ($PG_DIR)"
    "$PG_SCRIPT" stop "$PG_DIR" || echo "run.sh: could not stop PostgreSQL in $PG_DIR; stop it with: $PG_SCRIPT stop $PG_DIR" >&2
  fi
}

on_signal() {
  ((STOPPING)) && return
  STOPPING=1
  echo
  echo "Stopping ..."
  stop_all
  echo "Stopped."
  trap - EXIT
  exit 0
}

on_exit() {
  local rc=$?
  ((STOPPING)) && return
  STOPPING=1
  if ((${#PIDS[@]} || PG_STARTED)); then
    echo "Stopping ..." >&2
    stop_all
  fi
  exit "$rc"
}

trap on_signal INT TERM
trap on_exit EXIT

# spawn I: starts child I (NAMES/CMDS[I]) and sets PIDS[I] and WATCHERS[I]. The dotnet process runs
# under a small watcher subshell that waits for it and exits with its code: bash then has no job of
# its own killed by a signal, so it prints no "Killed  dotnet ..." line of its own, and the message
# below (name, pid, code, last log lines) is the only one. The dotnet pid is the one to signal.
spawn() {
  local i=$1 log="$LOG_DIR/${NAMES[$1]}.log" pidfile="$PID_DIR/${NAMES[$1]}" tries=0
  rm -f "$pidfile"
  ( eval "exec ${CMDS[i]}" >>"$log" 2>&1 </dev/null & # exec: $! is dotnet itself, not a shell around it
    echo $! >"$pidfile"
    wait $!
  ) 2>/dev/null &
  WATCHERS[i]=$!
  until [[ -s "$pidfile" ]] || ((++tries > 200)); do sleep 0.01; done
  PIDS[i]="$(cat "$pidfile" 2>/dev/null || echo "${WATCHERS[i]}")"
}

# start NAME HEALTH_URL DLL ARGS...
start() {
  local name="$1" health="$2" dll="$3"
  shift 3
  : >"$LOG_DIR/$name.log"
  NAMES+=("$name")
  HEALTH+=("$health")
  CMDS+=("$(printf '%q ' dotnet "$dll" "$@")")
  spawn $((${#NAMES[@]} - 1))
}

# What a signal's exit code means, for the messages below: " (SIGKILL)" for 137, "" for a plain exit.
signal_of() {
  local rc=$1
  ((rc > 128)) || return 0
  local name
  name="$(kill -l $((rc - 128)) 2>/dev/null || true)"
  [[ -n "$name" ]] && printf ' (SIG%s)' "$name"
}

# --silos: starts the private PostgreSQL server on the first free port from PG_BASE_PORT; sets PG_CONN.
start_pg() {
  local port=$PG_BASE_PORT
  while port_busy "$port"; do
    port=$((port + 1))
    ((port < PG_BASE_PORT + 100)) || die "no free port for PostgreSQL in $PG_BASE_PORT..$((PG_BASE_PORT + 99))."
  done
  # A server left behind by a run that was killed (SIGKILL skips the cleanup) still owns the data directory.
  if [[ -f "$PG_DIR/postmaster.pid" ]]; then
    "$PG_SCRIPT" stop "$PG_DIR" >/dev/null 2>&1 || true
  fi
  echo "Starting PostgreSQL on 127.0.0.1:$port (data in .run/pg) ..."
  PG_STARTED=1
  PG_CONN="$("$PG_SCRIPT" start "$PG_DIR" "$port")" || die "could not start PostgreSQL (log: $PG_DIR/server.log)."
  [[ -n "$PG_CONN" ]] || die "deploy/pg-local.sh printed no connection string."
}

# Waits until every started process answers its /healthz with 2xx (deadline per process).
wait_healthy() {
  local i deadline
  for ((i = 0; i < ${#PIDS[@]}; i++)); do
    deadline=$((SECONDS + HEALTH_DEADLINE_S))
    until curl -fsS -o /dev/null --max-time 1 "${HEALTH[i]}" 2>/dev/null; do
      if ! kill -0 "${PIDS[i]}" 2>/dev/null; then
        echo "run.sh: ${NAMES[i]} exited during start-up; last lines of $LOG_DIR/${NAMES[i]}.log:" >&2
        tail -n 20 "$LOG_DIR/${NAMES[i]}.log" >&2 || true
        exit 1
      fi
      if ((SECONDS >= deadline)); then
        echo "run.sh: ${NAMES[i]} did not answer ${HEALTH[i]} within ${HEALTH_DEADLINE_S} s; last lines of its log:" >&2
        tail -n 20 "$LOG_DIR/${NAMES[i]}.log" >&2 || true
        exit 1
      fi
      sleep 0.25
    done
  done
}

# ---- the proxy configuration the gateways load ------------------------------------------------
# ASP.NET configuration merges sources and cannot delete a key, so fewer destinations than the
# appsettings.json has cannot be expressed with command-line overrides. The gateway therefore
# reads its whole ReverseProxy section from this file (Granary:Gateway:ProxyConfigFile).
PROXY_FILE="$RUN_DIR/reverseproxy.json"
# Mirrors the cluster of src/Gateway/appsettings.json (keep the two in step), with the destinations
# and the policy of this run. Edit it while the cluster runs: the gateways reload it.
DESTINATIONS=""
for ((i = 1; i <= BACKENDS; i++)); do
  sep=","
  ((i == BACKENDS)) && sep=""
  DESTINATIONS+="          \"b$i\": { \"Address\": \"http://127.0.0.1:$((BACKEND_BASE_PORT + i - 1))/\" }$sep"$'\n'
done
cat >"$PROXY_FILE" <<EOF
{
  "ReverseProxy": {
    "Routes": {
      "all": { "ClusterId": "backends", "Match": { "Path": "{**catch-all}" } }
    },
    "Clusters": {
      "backends": {
        "Metadata": {
          "Granary.Policy": "${POLICY:-LeastConnections}",
          "Granary.Health.Path": "/healthz",
          "Granary.Health.IntervalMs": "2000",
          "Granary.Health.TimeoutMs": "1000",
          "Granary.Health.Rise": "2",
          "Granary.Health.Fall": "3",
          "Granary.Outlier.ConsecutiveFailures": "5",
          "Granary.Outlier.BaseEjectionMs": "30000"
        },
        "HttpRequest": { "ActivityTimeout": "00:01:00" },
        "Destinations": {
${DESTINATIONS%$'\n'}
        }
      }
    }
  }
}
EOF

# ---- start everything -------------------------------------------------------------------------
PG_CONN=""
if ((USE_PG)); then
  start_pg
  echo "Starting $SILO_COUNT silo(s) on PostgreSQL, $BACKENDS backend(s), $GATEWAYS gateway(s), policy ${POLICY:-LeastConnections} ..."
  for ((i = 0; i < SILO_COUNT; i++)); do
    start "silo$((i + 1))" "http://127.0.0.1:$((SILO_HTTP_PORT + i))/healthz" "$SILO_DLL" \
      "--Granary:Silo:SiloPort=$((SILO_PORT + i))" "--Granary:Silo:GatewayPort=$((SILO_GATEWAY_PORT + i))" \
      "--Granary:Silo:HttpPort=$((SILO_HTTP_PORT + i))" \
      "--Granary:PostgreSql:ConnectionString=$PG_CONN"
  done
else
  echo "Starting 1 silo, $BACKENDS backend(s), $GATEWAYS gateway(s), policy ${POLICY:-LeastConnections} ..."

  start silo "http://127.0.0.1:$SILO_HTTP_PORT/healthz" "$SILO_DLL" \
    "--Granary:Silo:SiloPort=$SILO_PORT" "--Granary:Silo:GatewayPort=$SILO_GATEWAY_PORT" "--Granary:Silo:HttpPort=$SILO_HTTP_PORT"
fi

BACKEND_URLS=()
for ((i = 1; i <= BACKENDS; i++)); do
  port=$((BACKEND_BASE_PORT + i - 1))
  latency="${LATENCY[i - 1]:-0}"
  latency="${latency:-0}"
  start "b$i" "http://127.0.0.1:$port/healthz" "$BACKEND_DLL" --port "$port" --id "b$i" --latency-ms "$latency"
  BACKEND_URLS+=("http://127.0.0.1:$port  (b$i, +${latency} ms)")
done

# Wait for the silo and the backends before the gateways, so their first health probes succeed.
wait_healthy

GATEWAY_URLS=()
for ((i = 0; i < GATEWAYS; i++)); do
  port=$((GATEWAY_BASE_PORT + i))
  args=(
    --urls "http://127.0.0.1:$port"
    "--Granary:Gateway:Id=gw$((i + 1))"
    "--Granary:Gateway:ProxyConfigFile=$PROXY_FILE"
  )
  if ((USE_PG)); then
    # The gateways learn the live silos from the membership table.
    args+=("--Granary:PostgreSql:ConnectionString=$PG_CONN")
  else
    args+=("--Granary:Client:Gateways:0=127.0.0.1:$SILO_GATEWAY_PORT")
  fi
  start "gw$((i + 1))" "http://127.0.0.1:$port/healthz" "$GATEWAY_DLL" "${args[@]}"
  GATEWAY_URLS+=("http://127.0.0.1:$port")
done

wait_healthy

{
  echo "GRANARY_GATEWAYS=$(IFS=','; echo "${GATEWAY_URLS[*]}")"
  echo "GRANARY_SILO_HTTP=http://127.0.0.1:$SILO_HTTP_PORT"
} >"$STATE_FILE"

SILO_RESTARTS_PER_MIN=5
SILO="http://127.0.0.1:$SILO_HTTP_PORT"
# One line per process: name, pid, where it answers, its log.
PROCESS_LINES=()
for ((i = 0; i < ${#NAMES[@]}; i++)); do
  url="${HEALTH[i]%/healthz}"
  case "${NAMES[i]}" in
    silo*) k="${NAMES[i]#silo}"; k=$(( ${k:-1} - 1 ))
           extra="silo port $((SILO_PORT + k)), Orleans gateway port $((SILO_GATEWAY_PORT + k))" ;;
    gw*) extra="gateway" ;;
    *) extra="demo backend" ;;
  esac
  PROCESS_LINES+=("$(printf '%-6s pid %-8s %-23s %-46s .run/logs/%s.log' "${NAMES[i]}" "${PIDS[i]}" "$url" "$extra" "${NAMES[i]}")")
done

if ((USE_PG)); then
  ENGINE="$SILO_COUNT silo(s) on PostgreSQL ($PG_CONN; data in .run/pg, kept between runs)"
else
  ENGINE="1 silo on Orleans's development clustering, state in memory (--silos N: PostgreSQL)"
fi
cat <<EOF

Granary is running: $ENGINE.

  Dashboard:  $SILO/dashboard   (Orleans's own: $SILO/orleans)
  Gateways:   ${GATEWAY_URLS[*]}
  Silo HTTP:  $SILO/healthz  /metrics  /clients (admin API)  /api/backends  /api/clients

  Processes:
$(printf '    %s\n' "${PROCESS_LINES[@]}")

  Try:  curl -i -H 'X-Client-ID: me' ${GATEWAY_URLS[0]}/
        ./run.sh demo        (in another shell: Mandelbrot through the gateways)
EOF
if ((USE_PG)); then
  cat <<EOF
  Failover: kill -9 one silo's pid (above). Within about 5 s a live silo declares it Dead, its
        grains re-activate on the others and the gateways route to them; run.sh then starts it
        again (a new incarnation, as a container's restart policy would). \`kill <pid>\` (SIGTERM)
        makes it leave gracefully instead. Run ./run.sh demo meanwhile: requests keep succeeding.
EOF
fi
cat <<EOF
  A process that exits is reported here with the last lines of its log. A silo is started again
  at once (at most $SILO_RESTARTS_PER_MIN times a minute); for a gateway or a backend run.sh prints the
  command that starts it again. Ctrl-C stops everything.
EOF

# ---- foreground: wait for a signal; report a child that dies and keep the others running --------
# (stopping a backend by hand is a legitimate experiment: the gateways should eject it.)
# A silo that exits is started again, as a container's restart policy would: Orleans stops a silo
# that learns the cluster declared it dead (after a freeze, say), and a killed one should come back.
# At most SILO_RESTARTS_PER_MIN restarts a minute per silo; past that it stays down.
declare -A RESTARTS=()
restart_child() {
  local i=$1 now=$SECONDS recent=() t
  for t in ${RESTARTS[$i]:-}; do ((now - t < 60)) && recent+=("$t"); done
  if ((${#recent[@]} >= SILO_RESTARTS_PER_MIN)); then
    echo "    ${NAMES[i]} exited ${#recent[@]} times within a minute; not restarting it. Start it by hand:" >&2
    echo "    ${CMDS[i]}>>$LOG_DIR/${NAMES[i]}.log 2>&1" >&2
    return 1
  fi
  recent+=("$now")
  RESTARTS[$i]="${recent[*]}"
  spawn "$i"
  echo "    restarted ${NAMES[i]}: pid ${PIDS[i]} (a new silo incarnation; the dashboard shows the old one Dead)" >&2
}
while :; do
  for ((i = 0; i < ${#PIDS[@]}; i++)); do
    if [[ -n "${PIDS[i]}" ]] && ! kill -0 "${WATCHERS[i]}" 2>/dev/null; then
      rc=0
      wait "${WATCHERS[i]}" 2>/dev/null || rc=$?
      echo "run.sh: ${NAMES[i]} (pid ${PIDS[i]}) exited with code $rc$(signal_of "$rc"); the others keep running. Last lines of .run/logs/${NAMES[i]}.log:" >&2
      tail -n 5 "$LOG_DIR/${NAMES[i]}.log" | sed 's/^/    /' >&2 || true
      PIDS[i]=""
      if [[ "${NAMES[i]}" == silo* ]] && ((!STOPPING)); then
        restart_child "$i" || true
      else
        echo "    To start it again, in another shell: ${CMDS[i]}>>$LOG_DIR/${NAMES[i]}.log 2>&1" >&2
      fi
    fi
  done
  sleep 1 &
  wait $! || true
done
