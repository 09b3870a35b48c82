#!/usr/bin/env bash
# The compose test: the root docker-compose.yml on a real Docker engine, as users run it, with the gateways
# scaled out under traffic. ./test.sh runs it after the .NET tests; run it alone from the repository root:
#   tests/compose/run.sh
# What it does (each step prints its progress and figures; any failed check ends it with exit code 1):
#   1. installs what it needs when missing (Debian's docker.io, docker-compose, debootstrap) and starts dockerd;
#   2. makes stand-ins for the base images, since no image registry is reachable here (kept between runs):
#      a Debian bookworm root file system from debootstrap (`docker import`), this machine's .NET runtime on it
#      (for mcr.microsoft.com/dotnet/aspnet:10.0), and Debian's PostgreSQL package with an entrypoint that
#      honours the official image's POSTGRES_* variables (for postgres:17);
#   3. publishes the silo, the gateway and the demo backend (dotnet publish) and builds the images with
#      docker-compose (the Dockerfiles' `prebuilt` target; tests/compose/docker-compose.standins.yml);
#   4. `docker-compose up -d`, waits until a request passes through the gateway, then `--scale gateway=3`
#      and sends traffic through each of the three (and a Mandelbrot PNG tile through one);
#   5. checks that one client's limit holds across the three gateways (admitted = capacity + refill, within 3);
#   6. checks that the dashboard answers and lists both silos and all three gateways;
#   7. SIGKILLs a silo container's process under traffic: requests keep succeeding (no 5xx, no connection
#      error) and the silo comes back by its restart policy, healthy;
#   8. `docker-compose down -v --rmi local`, and checks that no container, network or volume of the project is left.
# Bounded: every wait has a deadline, traffic is a fixed number of requests to 127.0.0.1 only.
# Host ports are chosen free (GRANARY_* port variables of docker-compose.yml), so a running ./run.sh does not clash.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
cd "$ROOT"

STARTED=$SECONDS
PROJECT="granary-compose-test-$$"
WORK="$(mktemp -d /tmp/granary-compose.XXXXXX)"
ADMIN_KEY="compose-test-$(od -An -N8 -tx1 /dev/urandom | tr -d ' \n')"
STANDIN_BASE=granary-standin/debian:bookworm
# Stand-ins are kept between runs, tagged with a hash of what makes them, so a changed recipe makes a new one.
recipe_hash() { cat "$@" | sha256sum | cut -c1-12; }
STANDIN_POSTGRES="granary-standin/postgres:15-$(recipe_hash tests/compose/standins/postgres.Dockerfile tests/compose/standins/postgres-entrypoint.sh)"
DOCKERD_PID=""

step() { printf '[compose %3d s] %s\n' $((SECONDS - STARTED)) "$*"; }
fail() {
  printf '[compose %3d s] FAILED: %s\n' $((SECONDS - STARTED)) "$*" >&2
  exit 1
}

# ---- 1. the engine -------------------------------------------------------------------------------
install_missing() {
  local missing=()
  command -v docker >/dev/null 2>&1 || missing+=(docker.io)
  command -v dockerd >/dev/null 2>&1 || missing+=(docker.io)
  command -v docker-compose >/dev/null 2>&1 || missing+=(docker-compose)
  command -v debootstrap >/dev/null 2>&1 || missing+=(debootstrap)
  ((${#missing[@]})) || return 0
  step "installing ${missing[*]} (Debian packages)"
  export DEBIAN_FRONTEND=noninteractive
  apt-get install -y -qq -o DPkg::Lock::Timeout=120 "${missing[@]}" >/dev/null 2>&1 \
    || { apt-get update -qq && apt-get install -y -qq -o DPkg::Lock::Timeout=120 "${missing[@]}" >/dev/null; } \
    || fail "could not install ${missing[*]}"
}

start_engine() {
  if docker info >/dev/null 2>&1; then return 0; fi
  step "starting dockerd (log $WORK/dockerd.log)"
  dockerd >"$WORK/dockerd.log" 2>&1 &
  DOCKERD_PID=$!
  local deadline=$((SECONDS + 60))
  until docker info >/dev/null 2>&1; do
    kill -0 "$DOCKERD_PID" 2>/dev/null || { tail -5 "$WORK/dockerd.log" >&2; fail "dockerd exited"; }
    ((SECONDS < deadline)) || fail "dockerd did not answer within 60 s"
    sleep 0.5
  done
}

compose() { docker-compose -p "$PROJECT" -f docker-compose.yml -f tests/compose/docker-compose.standins.yml "$@"; }

cleanup() {
  local rc=$?
  trap - EXIT
  if docker info >/dev/null 2>&1 && [[ -n "${GRANARY_STANDIN_ASPNET:-}" ]]; then
    compose down -v --rmi local --remove-orphans >"$WORK/down.log" 2>&1 || true
  fi
  rm -rf deploy/prebuilt/silo deploy/prebuilt/gateway deploy/prebuilt/backend
  if [[ -n "$DOCKERD_PID" ]]; then
    kill -TERM "$DOCKERD_PID" 2>/dev/null || true
    wait "$DOCKERD_PID" 2>/dev/null || true
  fi
  if ((rc == 0)); then rm -rf "$WORK"; else echo "compose test: logs kept in $WORK" >&2; fi
  exit "$rc"
}
trap cleanup EXIT

# A free TCP port on 127.0.0.1 (the kernel's choice), or N consecutive free ones ("first-last").
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
free_range() {
  local n=$1 first p ok
  for _ in $(seq 1 50); do
    first=$((20000 + RANDOM % 20000))
    ok=1
    for ((p = first; p < first + n; p++)); do
      if (exec 3<>"/dev/tcp/127.0.0.1/$p") 2>/dev/null; then ok=0; break; fi
    done
    ((ok)) && { echo "$first-$((first + n - 1))"; return 0; }
  done
  fail "no $n consecutive free ports"
}

# ---- 2. stand-in base images ----------------------------------------------------------------------
# The Debian mirror of this machine's apt sources (deb822 .sources or one-line .list), read, never written.
apt_mirror() {
  local url
  url=$(awk '/^URIs:/ { print $2; exit }' /etc/apt/sources.list.d/*.sources 2>/dev/null || true)
  [[ -n "$url" ]] || url=$(awk '$1 == "deb" && $3 ~ /^bookworm$/ { print $2; exit }' /etc/apt/sources.list /etc/apt/sources.list.d/*.list 2>/dev/null || true)
  [[ -n "$url" ]] || fail "no Debian mirror in /etc/apt/sources.list*"
  echo "$url"
}

make_base() {
  if docker image inspect "$STANDIN_BASE" >/dev/null 2>&1; then
    step "stand-in $STANDIN_BASE: present"
    return 0
  fi
  local t=$SECONDS rootfs="$WORK/rootfs"
  step "stand-in $STANDIN_BASE: debootstrap bookworm (minbase + ICU, OpenSSL, CA certificates)"
  debootstrap --variant=minbase --include=libicu72,libssl3,ca-certificates,tzdata bookworm "$rootfs" "$(apt_mirror)" \
    >"$WORK/debootstrap.log" 2>&1 || { tail -5 "$WORK/debootstrap.log" >&2; fail "debootstrap failed"; }
  tar -C "$rootfs" -c . | docker import - "$STANDIN_BASE" >/dev/null
  rm -rf "$rootfs"
  step "stand-in $STANDIN_BASE: made in $((SECONDS - t)) s"
}

make_aspnet() {
  local dotnet_root version context
  dotnet_root="$(dirname "$(readlink -f "$(command -v dotnet)")")"
  version="$(ls "$dotnet_root/shared/Microsoft.AspNetCore.App" | sort -V | tail -1)"
  export GRANARY_STANDIN_ASPNET="granary-standin/aspnet:$version-$(recipe_hash tests/compose/standins/aspnet.Dockerfile)"
  if docker image inspect "$GRANARY_STANDIN_ASPNET" >/dev/null 2>&1; then
    step "stand-in $GRANARY_STANDIN_ASPNET: present"
    return 0
  fi
  local t=$SECONDS
  context="$WORK/aspnet"
  mkdir -p "$context/dotnet/shared"
  cp -a "$dotnet_root/dotnet" "$dotnet_root/host" "$context/dotnet/"
  cp -a "$dotnet_root/shared/Microsoft.NETCore.App" "$dotnet_root/shared/Microsoft.AspNetCore.App" "$context/dotnet/shared/"
  cp tests/compose/standins/aspnet.Dockerfile "$context/Dockerfile"
  DOCKER_BUILDKIT=0 docker build -q --build-arg "BASE_IMAGE=$STANDIN_BASE" -t "$GRANARY_STANDIN_ASPNET" "$context" >"$WORK/aspnet-build.log" 2>&1 \
    || { tail -5 "$WORK/aspnet-build.log" >&2; fail "the .NET runtime stand-in did not build"; }
  rm -rf "$context"
  step "stand-in $GRANARY_STANDIN_ASPNET (this machine's ASP.NET Core $version runtime): made in $((SECONDS - t)) s"
}

make_postgres() {
  export GRANARY_STANDIN_POSTGRES="$STANDIN_POSTGRES"
  if docker image inspect "$STANDIN_POSTGRES" >/dev/null 2>&1; then
    step "stand-in $STANDIN_POSTGRES: present"
    return 0
  fi
  local t=$SECONDS context="$WORK/postgres"
  mkdir -p "$context/apt"
  cp tests/compose/standins/postgres.Dockerfile "$context/Dockerfile"
  cp tests/compose/standins/postgres-entrypoint.sh "$context/"
  # This machine's own apt sources, copied at build time: containers reach the mirror the host reaches.
  cp /etc/apt/sources.list.d/*.sources "$context/apt/" 2>/dev/null || true
  if [[ -s /etc/apt/sources.list ]] && grep -q '^deb ' /etc/apt/sources.list; then cp /etc/apt/sources.list "$context/apt/host.list"; fi
  compgen -G "$context/apt/*" >/dev/null || fail "no apt sources on this machine to copy"
  DOCKER_BUILDKIT=0 docker build -q --build-arg "BASE_IMAGE=$STANDIN_BASE" -t "$STANDIN_POSTGRES" "$context" >"$WORK/postgres-build.log" 2>&1 \
    || { tail -5 "$WORK/postgres-build.log" >&2; fail "the PostgreSQL stand-in did not build"; }
  rm -rf "$context"
  step "stand-in $STANDIN_POSTGRES (Debian's postgresql-15): made in $((SECONDS - t)) s"
}

# ---- 3. publish and build -------------------------------------------------------------------------
publish() {
  local t=$SECONDS name project
  for pair in silo:src/Silo/Granary.Silo.csproj gateway:src/Gateway/Granary.Gateway.csproj \
    backend:samples/DemoBackend/Granary.Samples.DemoBackend.csproj; do
    name=${pair%%:*}
    project=${pair#*:}
    rm -rf "deploy/prebuilt/$name"
    dotnet publish "$project" -c Release -o "deploy/prebuilt/$name" -p:UseAppHost=false -nologo -v quiet \
      >"$WORK/publish-$name.log" 2>&1 || { grep -E 'error' "$WORK/publish-$name.log" | head -5 >&2; fail "dotnet publish $project failed"; }
  done
  step "published silo, gateway and backend in $((SECONDS - t)) s"
}

# ---- helpers for the running cluster ----------------------------------------------------------------
container_of() { compose ps -q "$1" | head -1; }
health_of() { docker inspect -f '{{if .State.Health}}{{.State.Health.Status}}{{else}}{{.State.Status}}{{end}}' "$1" 2>/dev/null || echo gone; }

# status GATEWAY_PORT CLIENT_ID: the HTTP status of one GET through a gateway ("000" for a connection error).
status() { curl -s -o /dev/null -w '%{http_code}' --max-time 5 -H "X-Client-ID: $2" "http://127.0.0.1:$1/" || true; }

admin() { # admin METHOD PATH [BODY]: the silo1 admin API; prints "STATUS BODY"
  local out
  out=$(curl -s --max-time 10 -X "$1" -H "X-Admin-Key: $ADMIN_KEY" -H 'Content-Type: application/json' \
    ${3:+--data "$3"} -w '\n%{http_code}' "http://127.0.0.1:$SILO1_HTTP$2" || true)
  echo "${out##*$'\n'} ${out%$'\n'*}"
}

# ---- run --------------------------------------------------------------------------------------------
install_missing
start_engine
make_base
make_aspnet
make_postgres
publish

SILO1_HTTP=$(free_port)
SILO2_HTTP=$(free_port)
while [[ "$SILO2_HTTP" == "$SILO1_HTTP" ]]; do SILO2_HTTP=$(free_port); done
GATEWAY_RANGE=$(free_range 3)
export GRANARY_SILO1_HTTP_PORT=$SILO1_HTTP GRANARY_SILO2_HTTP_PORT=$SILO2_HTTP GRANARY_GATEWAY_PORTS=$GATEWAY_RANGE
export GRANARY_BACKEND1_PORT GRANARY_BACKEND2_PORT GRANARY_BACKEND3_PORT
GRANARY_BACKEND1_PORT=$(free_port); GRANARY_BACKEND2_PORT=$(free_port); GRANARY_BACKEND3_PORT=$(free_port)
export GRANARY_ADMIN_KEY=$ADMIN_KEY POSTGRES_PASSWORD="pg-$(od -An -N6 -tx1 /dev/urandom | tr -d ' \n')"
step "project $PROJECT: silo HTTP 127.0.0.1:$SILO1_HTTP and :$SILO2_HTTP, gateways on $GATEWAY_RANGE"

t=$SECONDS
DOCKER_BUILDKIT=0 COMPOSE_DOCKER_CLI_BUILD=0 compose build >"$WORK/build.log" 2>&1 || { tail -20 "$WORK/build.log" >&2; fail "docker-compose build failed"; }
BUILD_S=$((SECONDS - t))
step "docker-compose build: $BUILD_S s"

t=$SECONDS
compose up -d >"$WORK/up.log" 2>&1 || { tail -20 "$WORK/up.log" >&2; compose logs --tail=30 >&2 || true; fail "docker-compose up -d failed"; }
step "docker-compose up -d returned after $((SECONDS - t)) s; waiting for a request to pass through the gateway"
first_gateway_port=${GATEWAY_RANGE%-*}
gw_port() { compose port --index="$1" gateway 8080 2>/dev/null | awk -F: '{ print $NF }'; }
deadline=$((SECONDS + 120))
first_port=""
while :; do
  first_port=$(gw_port 1)
  if [[ -n "$first_port" && "$(status "$first_port" compose-probe)" == 200 ]]; then break; fi
  ((SECONDS < deadline)) || { compose ps >&2; compose logs --tail=40 gateway silo1 >&2; fail "no request passed through the gateway within 120 s of up"; }
  sleep 0.5
done
UP_S=$((SECONDS - t))
step "first request through the gateway (127.0.0.1:$first_port) $UP_S s after up"

# ---- 4. scale out ----
t=$SECONDS
compose up -d --no-recreate --scale gateway=3 >"$WORK/scale.log" 2>&1 || { tail -20 "$WORK/scale.log" >&2; fail "--scale gateway=3 failed"; }
deadline=$((SECONDS + 120))
GW_PORTS=()
while :; do
  GW_PORTS=()
  for i in 1 2 3; do
    p=$(gw_port "$i")
    [[ -n "$p" && "$(status "$p" compose-probe)" == 200 ]] && GW_PORTS+=("$p")
  done
  ((${#GW_PORTS[@]} == 3)) && break
  ((SECONDS < deadline)) || { compose ps >&2; fail "3 gateways did not all serve within 120 s (serving: ${GW_PORTS[*]:-none})"; }
  sleep 0.5
done
SCALE_S=$((SECONDS - t))
step "scaled to 3 gateways in $SCALE_S s: 127.0.0.1:${GW_PORTS[0]}, :${GW_PORTS[1]}, :${GW_PORTS[2]}"

# A client with room to spare for the traffic checks.
read -r code body <<<"$(admin POST /clients '{"client_id":"compose-traffic","capacity":100000,"rate_per_sec":100000}')"
[[ "$code" == 201 ]] || fail "POST /clients for compose-traffic: HTTP $code $body"

PER_GATEWAY=60
declare -A THROUGH=()
for p in "${GW_PORTS[@]}"; do
  ok=0
  for ((n = 0; n < PER_GATEWAY; n++)); do
    [[ "$(status "$p" compose-traffic)" == 200 ]] && ok=$((ok + 1))
  done
  THROUGH[$p]=$ok
  ((ok == PER_GATEWAY)) || fail "gateway :$p answered $ok of $PER_GATEWAY requests with 200"
done
step "traffic: ${THROUGH[${GW_PORTS[0]}]}, ${THROUGH[${GW_PORTS[1]}]}, ${THROUGH[${GW_PORTS[2]}]} of $PER_GATEWAY requests answered 200 through the three gateways"

# A Mandelbrot tile through a gateway: the demo backend's PNG encoder (SkiaSharp's native library) works in the image.
tile="$WORK/tile.png"
code=$(curl -s -o "$tile" -w '%{http_code} %{content_type}' --max-time 20 -H 'X-Client-ID: compose-traffic' \
  "http://127.0.0.1:${GW_PORTS[0]}/mandelbrot?x0=-2&y0=-1.5&x1=1&y1=1.5&w=64&h=64&iter=200" || true)
[[ "$code" == "200 image/png" ]] || fail "GET /mandelbrot through a gateway: $code"
[[ "$(head -c 8 "$tile" | od -An -tx1 | tr -d ' \n')" == 89504e470d0a1a0a ]] || fail "the tile is not a PNG"
step "a 64x64 Mandelbrot tile through a gateway: 200 image/png, $(wc -c <"$tile") bytes"

# ---- 5. one client's limit across the three gateways ----
CAPACITY=40
RATE=2
read -r code body <<<"$(admin POST /clients "{\"client_id\":\"compose-limit\",\"capacity\":$CAPACITY,\"rate_per_sec\":$RATE}")"
[[ "$code" == 201 ]] || fail "POST /clients for compose-limit: HTTP $code $body"
LIMIT_REQUESTS=240
admitted=0; rejected=0; other=0
t0=$(date +%s.%N)
for ((n = 0; n < LIMIT_REQUESTS; n++)); do
  case "$(status "${GW_PORTS[n % 3]}" compose-limit)" in
    200) admitted=$((admitted + 1)) ;;
    429) rejected=$((rejected + 1)) ;;
    *) other=$((other + 1)) ;;
  esac
done
elapsed=$(python3 -c "import sys; print(f'{float(sys.argv[2]) - float(sys.argv[1]):.1f}')" "$t0" "$(date +%s.%N)")
allowed=$(python3 -c "import sys; print(int($CAPACITY + $RATE * float(sys.argv[1])))" "$elapsed")
step "limit ($CAPACITY tokens, $RATE/s) through 3 gateways: $LIMIT_REQUESTS requests in $elapsed s: $admitted admitted, $rejected rejected (429), $other other; allowed $allowed"
((other == 0)) || fail "$other requests of the limited client were neither 200 nor 429"
((admitted >= CAPACITY)) || fail "admitted $admitted < capacity $CAPACITY"
((admitted <= allowed + 3)) || fail "admitted $admitted > allowed $allowed + 3: the limit did not hold across the gateways"

# ---- 6. the dashboard ----
dash=$(curl -s -o /dev/null -w '%{http_code}' --max-time 10 "http://127.0.0.1:$SILO1_HTTP/dashboard/" || true)
[[ "$dash" == 200 ]] || fail "GET /dashboard/ on silo1: HTTP $dash"
deadline=$((SECONDS + 30))
while :; do
  overview=$(curl -s --max-time 10 -H "X-Admin-Key: $ADMIN_KEY" "http://127.0.0.1:$SILO2_HTTP/api/overview" || true)
  counts=$(python3 -c '
import json, sys
try:
    o = json.loads(sys.argv[1])
except ValueError:
    print("0 0"); sys.exit()
silos = [s for s in o.get("silos", []) if str(s.get("status", "")).lower() == "active"]
print(len(silos), len(o.get("gateways", [])))' "$overview")
  read -r active_silos gateways <<<"$counts"
  ((active_silos == 2 && gateways == 3)) && break
  ((SECONDS < deadline)) || fail "the dashboard's /api/overview (silo2) lists $active_silos active silos and $gateways gateways, expected 2 and 3: ${overview:0:300}"
  sleep 1
done
step "dashboard: /dashboard/ 200 on silo1; /api/overview from silo2 lists 2 active silos and 3 gateways"

# ---- 7. kill a silo under traffic ----
silo2=$(container_of silo2)
restarts_before=$(docker inspect -f '{{.RestartCount}}' "$silo2")
pid=$(docker inspect -f '{{.State.Pid}}' "$silo2")
((pid > 0)) || fail "silo2 has no process"
: >"$WORK/kill-traffic"
(
  # Bounded: at most 3,000 requests or 90 s, whichever comes first; stops early when told.
  end=$((SECONDS + 90))
  for ((n = 0; n < 3000 && SECONDS < end; n++)); do
    [[ -e "$WORK/kill-traffic.stop" ]] && break
    echo "$(status "${GW_PORTS[n % 3]}" compose-traffic)" >>"$WORK/kill-traffic"
  done
) &
traffic_pid=$!
# Some traffic before the kill, so the figures show both sides: wait for 30 answers (deadline 30 s).
wait_lines() { local want=$1 deadline=$((SECONDS + 30)); while (($(wc -l <"$WORK/kill-traffic") < want)); do ((SECONDS < deadline)) || break; sleep 0.1; done; }
wait_lines 30
t=$SECONDS
kill_at=$(date +%s.%N)
kill -KILL "$pid"
step "SIGKILL to silo2's process (host pid $pid); traffic keeps going through the three gateways"
deadline=$((SECONDS + 120))
while :; do
  restarts=$(docker inspect -f '{{.RestartCount}}' "$silo2" 2>/dev/null || echo 0)
  if ((restarts > restarts_before)) && [[ "$(health_of "$silo2")" == healthy ]] \
    && [[ "$(curl -s -o /dev/null -w '%{http_code}' --max-time 2 "http://127.0.0.1:$SILO2_HTTP/healthz" || true)" == 200 ]]; then
    break
  fi
  ((SECONDS < deadline)) || { docker inspect -f '{{json .State}}' "$silo2" >&2; fail "silo2 did not come back healthy within 120 s (restarts $restarts)"; }
  sleep 0.25
done
RECOVERY=$(python3 -c "import sys; print(f'{float(sys.argv[2]) - float(sys.argv[1]):.1f}')" "$kill_at" "$(date +%s.%N)")
wait_lines $(($(wc -l <"$WORK/kill-traffic") + 60)) # traffic after the recovery too
touch "$WORK/kill-traffic.stop"
wait "$traffic_pid" || true
total=$(wc -l <"$WORK/kill-traffic")
ok=$(grep -c '^200$' "$WORK/kill-traffic" || true)
limited=$(grep -c '^429$' "$WORK/kill-traffic" || true)
failed=$((total - ok - limited))
step "silo2 restarted by its restart policy (restarts $restarts_before -> $restarts) and healthy ${RECOVERY} s after the kill; traffic meanwhile: $total requests, $ok x 200, $limited x 429, $failed failed"
((total > 0)) || fail "no traffic during the silo kill"
((failed == 0)) || fail "$failed requests failed while silo2 was down: $(sort "$WORK/kill-traffic" | uniq -c | tr '\n' ' ')"

# ---- 8. down, nothing left ----
t=$SECONDS
compose down -v --rmi local --remove-orphans >"$WORK/down.log" 2>&1 || { tail -10 "$WORK/down.log" >&2; fail "docker-compose down -v failed"; }
left_containers=$(docker ps -aq --filter "label=com.docker.compose.project=$PROJECT" | wc -l)
left_volumes=$(docker volume ls -q --filter "label=com.docker.compose.project=$PROJECT" | wc -l)
left_networks=$(docker network ls -q --filter "label=com.docker.compose.project=$PROJECT" | wc -l)
step "docker-compose down -v in $((SECONDS - t)) s: $left_containers containers, $left_volumes volumes, $left_networks networks left"
((left_containers + left_volumes + left_networks == 0)) || fail "the project left containers, volumes or networks behind"

cat <<EOF

Compose test passed in $((SECONDS - STARTED)) s:
  | figure                                   | value |
  | ---------------------------------------- | ----- |
  | docker-compose build                     | $BUILD_S s |
  | up -d until a request passes             | $UP_S s |
  | --scale gateway=3 until all three serve  | $SCALE_S s |
  | requests through each gateway            | ${THROUGH[${GW_PORTS[0]}]} / ${THROUGH[${GW_PORTS[1]}]} / ${THROUGH[${GW_PORTS[2]}]} x 200 of $PER_GATEWAY |
  | limit $CAPACITY tokens + $RATE/s over 3 gateways   | $admitted admitted of $LIMIT_REQUESTS in $elapsed s (allowed $allowed) |
  | silo2 SIGKILL: back and healthy after    | $RECOVERY s |
  | requests meanwhile                       | $total, $failed failed |
EOF
